//! Keeps the till's quick keys and barcode lookup in step with catalogue changes made outside
//! the window, such as `wxpay-pos product-switch` taking a sold-out product off sale.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::error_text::error_chain;
use crate::store::{CatalogueStamp, Store};
use crate::ui::bridge::Update;

/// How often the catalogue's stamp is read. A product switched off from the command line
/// disappears from the quick keys within this time.
pub const CATALOGUE_CHECK_INTERVAL: Duration = Duration::from_secs(2);

/// Sends the whole catalogue again whenever its stamp changes, until the screen is gone.
/// The first stamp read is the baseline: the screen loads the catalogue itself at start.
pub(super) async fn watch_catalogue(
    store: Store,
    updates: mpsc::Sender<Update>,
    repaint: Arc<dyn Fn() + Send + Sync>,
) {
    let mut last: Option<CatalogueStamp> = None;
    let mut ticks = tokio::time::interval(CATALOGUE_CHECK_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if updates.is_closed() {
            return;
        }
        let Some(stamp) = read_store(&store, "catalogue stamp", Store::catalogue_stamp).await
        else {
            continue;
        };
        let changed = last.is_some_and(|last| last != stamp);
        last = Some(stamp);
        if !changed {
            continue;
        }
        let Some(products) = read_store(&store, "changed catalogue", Store::products).await else {
            continue;
        };
        tracing::info!(
            products = products.len(),
            "catalogue changed; quick keys reloaded"
        );
        if updates
            .send(Update::CatalogueLoaded { products })
            .await
            .is_err()
        {
            return;
        }
        repaint();
    }
}

/// Runs `read` on the store off the async threads. A failure is logged with `subject`, the
/// data being read, and gives `None`.
async fn read_store<T: Send + 'static>(
    store: &Store,
    subject: &'static str,
    read: fn(&Store) -> Result<T, crate::store::StoreError>,
) -> Option<T> {
    let reader = store.clone();
    match tokio::task::spawn_blocking(move || read(&reader)).await {
        Ok(Ok(value)) => Some(value),
        Ok(Err(err)) => {
            tracing::warn!(subject, error = %error_chain(&err), "cannot read the catalogue");
            None
        }
        Err(err) => {
            tracing::error!(subject, error = %err, "catalogue read task failed");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Fen;
    use crate::store::ProductDraft;

    #[tokio::test]
    async fn product_switched_off_elsewhere_reaches_the_screen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pos.sqlite3");
        let store = Store::open(&path).unwrap();
        let tea = store
            .save_product(&ProductDraft {
                id: None,
                name: "奶茶".to_owned(),
                price: Fen(1200),
                barcode: Some("690001".to_owned()),
                category: "饮品".to_owned(),
                enabled: true,
            })
            .unwrap();
        let (sender, mut updates) = mpsc::channel(8);
        let watcher = tokio::spawn(watch_catalogue(store, sender, Arc::new(|| {})));

        // Let the watcher read its baseline, then switch the product off from another handle,
        // as the command line does.
        tokio::time::sleep(CATALOGUE_CHECK_INTERVAL / 2).await;
        Store::open(&path)
            .unwrap()
            .set_product_enabled(tea.id, false)
            .unwrap();

        let update = tokio::time::timeout(CATALOGUE_CHECK_INTERVAL * 5, updates.recv())
            .await
            .expect("no catalogue update after the product was switched off")
            .expect("the watcher stopped");
        match update {
            Update::CatalogueLoaded { products } => {
                assert_eq!(products.len(), 1);
                assert!(!products[0].enabled);
            }
            other => panic!("unexpected update {other:?}"),
        }
        drop(updates);
        tokio::time::timeout(CATALOGUE_CHECK_INTERVAL * 3, watcher)
            .await
            .expect("the watcher did not stop once the screen was gone")
            .unwrap();
    }
}
