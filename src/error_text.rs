//! Error text shared by every layer.

/// Joins an error and its sources as `outer: inner: root`, because many errors (reqwest's
/// among them) leave their causes out of their own message.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
