//! The store manager's PIN: hashed with PBKDF2-HMAC-SHA256 and a random salt for the
//! configuration file (`[manager] pin_hash`), checked in constant time, with a lockout after
//! repeated wrong entries.
//!
//! The stored text is `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`, so the iteration
//! count can rise later without breaking saved PINs.

use std::time::{Duration, Instant};

use rand::RngCore as _;
use sha2::Sha256;
use subtle::ConstantTimeEq as _;

/// Shortest and longest PIN, in digits.
pub const MIN_PIN_DIGITS: usize = 4;
pub const MAX_PIN_DIGITS: usize = 12;

/// PBKDF2 rounds for a new hash: OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.
pub const PBKDF2_ITERATIONS: u32 = 600_000;

/// Minimum rounds a stored hash may use; a file with fewer is rejected as tampered or broken.
pub const MIN_PBKDF2_ITERATIONS: u32 = 10_000;

/// Most rounds a stored hash may use, so a hand-edited file cannot stall the app.
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// Salt and hash lengths, in bytes.
const SALT_BYTES: usize = 16;
const HASH_BYTES: usize = 32;

/// Wrong PINs in a row that lock the manager screen.
pub const MAX_PIN_ATTEMPTS: u32 = 5;

/// How long the lock lasts.
pub const PIN_LOCKOUT: Duration = Duration::from_secs(60);

const SCHEME: &str = "pbkdf2-sha256";

/// A PIN that cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("the PIN must be {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits")]
    BadFormat,
    #[error("the saved manager PIN hash is not in the pbkdf2-sha256 format")]
    BadHash,
}

/// Checks that `pin` is 4 to 12 ASCII digits.
pub fn validate_pin(pin: &str) -> Result<(), PinError> {
    let digits = pin.len();
    if (MIN_PIN_DIGITS..=MAX_PIN_DIGITS).contains(&digits)
        && pin.bytes().all(|b| b.is_ascii_digit())
    {
        Ok(())
    } else {
        Err(PinError::BadFormat)
    }
}

/// Hashes a valid PIN with a fresh random salt and [`PBKDF2_ITERATIONS`] rounds.
pub fn hash_pin(pin: &str) -> Result<String, PinError> {
    hash_pin_with_iterations(pin, PBKDF2_ITERATIONS)
}

/// Hashes a valid PIN with a fresh random salt and `iterations` rounds (at least
/// [`MIN_PBKDF2_ITERATIONS`]).
pub fn hash_pin_with_iterations(pin: &str, iterations: u32) -> Result<String, PinError> {
    validate_pin(pin)?;
    if !(MIN_PBKDF2_ITERATIONS..=MAX_PBKDF2_ITERATIONS).contains(&iterations) {
        return Err(PinError::BadHash);
    }
    let mut salt = [0u8; SALT_BYTES];
    rand::rng().fill_bytes(&mut salt);
    let hash = derive(pin, &salt, iterations);
    Ok(format!(
        "{SCHEME}${iterations}${}${}",
        hex::encode(salt),
        hex::encode(hash)
    ))
}

/// Returns whether `pin` matches `stored`, comparing the hashes in constant time.
pub fn verify_pin(pin: &str, stored: &str) -> Result<bool, PinError> {
    let mut parts = stored.split('$');
    let (Some(SCHEME), Some(iterations), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(PinError::BadHash);
    };
    let iterations: u32 = iterations.parse().map_err(|_| PinError::BadHash)?;
    if !(MIN_PBKDF2_ITERATIONS..=MAX_PBKDF2_ITERATIONS).contains(&iterations) {
        return Err(PinError::BadHash);
    }
    let salt = hex::decode(salt).map_err(|_| PinError::BadHash)?;
    let expected = hex::decode(hash).map_err(|_| PinError::BadHash)?;
    if expected.len() != HASH_BYTES || salt.is_empty() {
        return Err(PinError::BadHash);
    }
    let actual = derive(pin, &salt, iterations);
    Ok(bool::from(actual.ct_eq(&expected)))
}

fn derive(pin: &str, salt: &[u8], iterations: u32) -> [u8; HASH_BYTES] {
    let mut hash = [0u8; HASH_BYTES];
    pbkdf2::pbkdf2_hmac::<Sha256>(pin.as_bytes(), salt, iterations, &mut hash);
    hash
}

/// The result of one PIN entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinCheck {
    Accepted,
    /// Wrong PIN; this many tries remain before the lock.
    Rejected {
        attempts_left: u32,
    },
    /// Too many wrong PINs; try again after this many seconds. The PIN was not checked.
    Locked {
        retry_after_secs: u64,
    },
}

/// Counts wrong PINs and locks entry for [`PIN_LOCKOUT`] after [`MAX_PIN_ATTEMPTS`] of them.
/// NOTE: the count lives in memory, so restarting the app clears a lock.
#[derive(Debug, Default)]
pub struct PinGuard {
    failures: u32,
    locked_until: Option<Instant>,
}

impl PinGuard {
    /// Checks `pin` against `stored` at time `now`, unless entry is locked.
    pub fn check(&mut self, pin: &str, stored: &str, now: Instant) -> Result<PinCheck, PinError> {
        if let Some(until) = self.locked_until {
            if now < until {
                let left = until.saturating_duration_since(now);
                return Ok(PinCheck::Locked {
                    retry_after_secs: left.as_secs().max(1),
                });
            }
            self.locked_until = None;
            self.failures = 0;
        }

        if verify_pin(pin, stored)? {
            self.failures = 0;
            return Ok(PinCheck::Accepted);
        }
        self.failures += 1;
        if self.failures >= MAX_PIN_ATTEMPTS {
            self.locked_until = Some(now + PIN_LOCKOUT);
            return Ok(PinCheck::Locked {
                retry_after_secs: PIN_LOCKOUT.as_secs(),
            });
        }
        Ok(PinCheck::Rejected {
            attempts_left: MAX_PIN_ATTEMPTS - self.failures,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST_ITERATIONS: u32 = MIN_PBKDF2_ITERATIONS;

    #[test]
    fn right_pin_verifies_and_wrong_pin_does_not() {
        let stored = hash_pin_with_iterations("2468", TEST_ITERATIONS).unwrap();
        assert_eq!(verify_pin("2468", &stored), Ok(true));
        assert_eq!(verify_pin("2469", &stored), Ok(false));
    }

    #[test]
    fn same_pin_gets_different_salts() {
        let first = hash_pin_with_iterations("2468", TEST_ITERATIONS).unwrap();
        let second = hash_pin_with_iterations("2468", TEST_ITERATIONS).unwrap();
        assert_ne!(first, second);
    }

    #[test]
    fn malformed_pins_are_rejected() {
        assert_eq!(validate_pin("123"), Err(PinError::BadFormat));
        assert_eq!(validate_pin("12a4"), Err(PinError::BadFormat));
        assert_eq!(validate_pin("1234567890123"), Err(PinError::BadFormat));
        assert_eq!(validate_pin("0000"), Ok(()));
    }

    #[test]
    fn malformed_hash_is_an_error() {
        assert_eq!(verify_pin("1234", "plain-text"), Err(PinError::BadHash));
        assert_eq!(
            verify_pin("1234", "pbkdf2-sha256$10$00$00"),
            Err(PinError::BadHash)
        );
    }

    #[test]
    fn guard_locks_after_max_attempts_and_unlocks_later() {
        let stored = hash_pin_with_iterations("2468", TEST_ITERATIONS).unwrap();
        let mut guard = PinGuard::default();
        let start = Instant::now();
        for attempt in 1..MAX_PIN_ATTEMPTS {
            assert_eq!(
                guard.check("0000", &stored, start),
                Ok(PinCheck::Rejected {
                    attempts_left: MAX_PIN_ATTEMPTS - attempt
                })
            );
        }
        assert!(matches!(
            guard.check("0000", &stored, start),
            Ok(PinCheck::Locked { .. })
        ));
        // Even the right PIN is refused while locked.
        assert!(matches!(
            guard.check("2468", &stored, start + Duration::from_secs(1)),
            Ok(PinCheck::Locked { .. })
        ));
        assert_eq!(
            guard.check("2468", &stored, start + PIN_LOCKOUT),
            Ok(PinCheck::Accepted)
        );
    }
}
