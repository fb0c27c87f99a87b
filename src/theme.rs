//! Colours, spacing and the fonts embedded in the binary (one module, so
//! every screen looks alike).

use iced::theme::Palette;
use iced::{Color, Font, Theme, color};

use relay_core::config::ThemeChoice;

/// Noto Sans SC (a subset: Latin, punctuation, the common Chinese
/// characters), so Chinese renders on machines without CJK fonts.
pub const UI_FONT_BYTES: &[u8] = include_bytes!("../resources/fonts/NotoSansSC-Subset.otf");
/// Its bold face: without one, bold text would borrow a system font.
pub const BOLD_FONT_BYTES: &[u8] = include_bytes!("../resources/fonts/NotoSansSC-Bold-Subset.otf");
pub const UI_FONT: Font = Font::with_name("Noto Sans CJK SC");

/// Puts the embedded fonts into iced's font system as they are: borrowed
/// from the binary, not copied. (`application().font(..)` and
/// `Settings::fonts` copy each into the heap: 5.6 MB of memory for the
/// two, and the binary's pages read for the copy stay resident too.)
/// Once per process; before the first text is laid out.
pub fn load_fonts() {
    use iced::advanced::graphics::text::{cosmic_text::fontdb::Source, font_system};
    static LOADED: std::sync::Once = std::sync::Once::new();
    LOADED.call_once(|| {
        // A poisoned lock means a renderer thread panicked already; the
        // text falls back to system fonts then.
        if let Ok(mut fonts) = font_system().write() {
            for bytes in [UI_FONT_BYTES, BOLD_FONT_BYTES] {
                let source = Source::Binary(std::sync::Arc::new(bytes));
                fonts.raw().db_mut().load_font_source(source);
            }
        }
    });
}
pub const BOLD: Font = Font {
    weight: iced::font::Weight::Bold,
    ..UI_FONT
};

/// The one accent colour.
pub const ACCENT: Color = color!(0x2563eb);
pub const SUCCESS: Color = color!(0x16a34a);
pub const DANGER: Color = color!(0xdc2626);
pub const WARNING: Color = color!(0xd97706);
pub const MUTED: Color = color!(0x6b7280);

pub const SPACE_S: f32 = 6.0;
pub const SPACE_M: f32 = 12.0;
pub const SPACE_L: f32 = 20.0;
pub const TEXT_S: f32 = 13.0;
pub const TEXT_M: f32 = 15.0;
pub const TEXT_L: f32 = 20.0;
pub const TEXT_XL: f32 = 26.0;
pub const FORM_WIDTH: f32 = 380.0;

pub fn light() -> Theme {
    Theme::custom(
        "Relay Light".to_string(),
        Palette {
            background: color!(0xf5f7fb),
            text: color!(0x111827),
            primary: ACCENT,
            success: SUCCESS,
            warning: WARNING,
            danger: DANGER,
        },
    )
}

pub fn dark() -> Theme {
    Theme::custom(
        "Relay Dark".to_string(),
        Palette {
            background: color!(0x111827),
            text: color!(0xe5e7eb),
            primary: color!(0x3b82f6),
            success: color!(0x22c55e),
            warning: color!(0xf59e0b),
            danger: color!(0xef4444),
        },
    )
}

/// `system_dark` is the OS preference, when known.
pub fn for_choice(choice: ThemeChoice, system_dark: bool) -> Theme {
    match choice {
        ThemeChoice::Light => light(),
        ThemeChoice::Dark => dark(),
        ThemeChoice::System if system_dark => dark(),
        ThemeChoice::System => light(),
    }
}
