//! Manager report benchmarks.
fn main() {}
