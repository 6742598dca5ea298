//! Small widgets shared by the screens.

use egui::{Button, Response, RichText, Role, Ui, Vec2, WidgetInfo};

/// Adds a button that shows its keyboard shortcut (such as `F1`) on its right. The accessible
/// name is `text` alone, so screen readers and tests find the button by its action.
pub(super) fn shortcut_button(
    ui: &mut Ui,
    enabled: bool,
    text: RichText,
    shortcut: &str,
    min_size: Vec2,
) -> Response {
    let label = text.text().to_owned();
    let button = Button::new(text)
        .shortcut_text(RichText::new(shortcut).weak())
        .min_size(min_size);
    let response = ui.add_enabled(enabled, button);
    set_accessible_label(&response, Role::Button, enabled, label);
    response
}

/// Replaces the accessible name of `response`, for widgets whose visible text is a symbol
/// (`+`) or carries more than the name (a quick key with its price).
pub(super) fn set_accessible_label(
    response: &Response,
    role: Role,
    enabled: bool,
    label: impl Into<String>,
) {
    let label = label.into();
    response.widget_info(|| WidgetInfo::labeled(role, enabled, label.clone()));
}
