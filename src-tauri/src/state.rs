use loova_core::LoadedPriceList;

/// What every command may read. Loaded once at start.
pub struct AppState {
    pub prices: LoadedPriceList,
}
