//! Placeholder until the bill benchmark is written.
fn main() {}
