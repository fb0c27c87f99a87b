//! The new account-settings screens rendered in both languages: every
//! dialog step draws with its translated texts (a missing message would
//! show its id), and with `RELAY_UPDATE_SCREENSHOTS=1` the pictures are
//! written to docs/screenshots/ for the README (look at them).

use relay_protocol::api::TotpSetup;

use crate::i18n::Language;
use crate::photo::{Picture, decode};
use crate::screen::settings::contact_change::{ContactDialog, Mode};
use crate::screen::settings::personal_info::PersonalInfo;
use crate::screen::settings::photo_crop::CropDialog;
use crate::screen::settings::two_step::{self, Purpose, TwoStepDialog};
use crate::ui_tests::{alice, idle_session, speak, ui};

fn picture() -> Picture {
    let image = image::RgbImage::from_fn(480, 320, |x, y| {
        image::Rgb([(40 + x / 4) as u8, (90 + y / 4) as u8, 200])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    decode(&png.into_inner()).unwrap()
}

/// Renders `element` and finds `expected` on it; saves it as
/// docs/screenshots/<tag>-<name>.png when asked to.
pub(crate) fn render<M>(element: iced::Element<'_, M>, expected: &str, tag: &str, name: &str) {
    let mut sim = ui(element);
    sim.find(expected)
        .unwrap_or_else(|_| panic!("{tag}-{name}: {expected:?} is not on screen"));
    if std::env::var_os("RELAY_UPDATE_SCREENSHOTS").is_some() {
        let snapshot = sim.snapshot(&crate::theme::light()).unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screens");
        std::fs::create_dir_all(&dir).unwrap();
        let base = dir.join(format!("{tag}-{name}"));
        let _ = std::fs::remove_file(base.with_file_name(format!("{tag}-{name}-tiny-skia.png")));
        assert!(snapshot.matches_image(&base).unwrap());
        let written = base.with_file_name(format!("{tag}-{name}-tiny-skia.png"));
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs/screenshots")
            .join(format!("{tag}-{name}.png"));
        trimmed(&written, &docs);
    }
}

/// Copies the picture at `from` to `to` without the empty page around the
/// dialog (a margin kept), at half the size (it is rendered at scale 2).
fn trimmed(from: &std::path::Path, to: &std::path::Path) {
    let picture = image::open(from).unwrap().to_rgba8();
    let background = *picture.get_pixel(picture.width() - 1, picture.height() - 1);
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for (x, y, p) in picture.enumerate_pixels() {
        if *p != background {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
    }
    let margin = 24;
    let (x0, y0) = (x0.saturating_sub(margin), y0.saturating_sub(margin));
    let (x1, y1) = (
        (x1 + margin).min(picture.width() - 1),
        (y1 + margin).min(picture.height() - 1),
    );
    let cropped = image::imageops::crop_imm(&picture, x0, y0, x1 - x0 + 1, y1 - y0 + 1).to_image();
    let half = image::imageops::resize(
        &cropped,
        cropped.width() / 2,
        cropped.height() / 2,
        image::imageops::FilterType::Lanczos3,
    );
    half.save(to).unwrap();
}

#[test]
fn account_screens_in_both_languages() {
    let setup = TotpSetup {
        secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".into(),
        otpauth_url: "otpauth://totp/Relay%20CRM:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Relay%20CRM&digits=6&period=30".into(),
    };
    let codes: Vec<String> = (0..10).map(|i| format!("k3xq-9mz{i}-2a")).collect();
    let s = idle_session();
    for (language, tag, titles) in [
        (
            Language::English,
            "en",
            [
                "Turn on two-step sign-in",
                "New email address",
                "Your photo",
                "Personal info",
                "Turn off two-step sign-in",
            ],
        ),
        (
            Language::Chinese,
            "zh",
            [
                "开启两步验证",
                "新邮箱地址",
                "您的头像",
                "个人信息",
                "关闭两步验证",
            ],
        ),
    ] {
        let _language = speak(language);
        let (mut dialog, _) = TwoStepDialog::open(Purpose::TurnOn, "alice");
        render(dialog.view(), titles[0], tag, "16-two-step-password");
        let _ = dialog.update(two_step::Message::SetupLoaded(Ok(setup.clone())), &s);
        render(dialog.view(), titles[0], tag, "17-two-step-qr");
        let _ = dialog.update(two_step::Message::Enabled(Ok(codes.clone())), &s);
        render(dialog.view(), codes[9].as_str(), tag, "18-recovery-codes");
        let (off, _) = TwoStepDialog::open(Purpose::TurnOff, "alice");
        render(off.view(), titles[4], tag, "19-two-step-off");
        let (contact, _) =
            ContactDialog::open(Mode::Change(relay_protocol::api::Channel::Email), false);
        render(contact.view(), titles[1], tag, "20-new-email");
        let crop = CropDialog::new(picture());
        render(crop.view(), titles[2], tag, "21-photo-crop");
        let page = PersonalInfo::open(s.clone(), alice(), None, None);
        render(page.view(), titles[3], tag, "22-personal-info");
    }
}

#[test]
fn every_new_refusal_has_its_own_words_in_both_languages() {
    use relay_core::ApiError;
    use relay_protocol::ErrorCode;
    let server = |code| ApiError::Server {
        code,
        retry_after: None,
        attempts_left: None,
        violations: Vec::new(),
        field: None,
    };
    for language in [Language::English, Language::Chinese] {
        let _language = speak(language);
        let generic = crate::error_text::error_text(&server(ErrorCode::Internal));
        let mut seen = std::collections::HashSet::new();
        for code in [
            ErrorCode::ValidationFailed,
            ErrorCode::AlreadyInUse,
            ErrorCode::LastChannel,
            ErrorCode::UnsupportedImage,
            ErrorCode::ImageTooLarge,
            ErrorCode::MfaAlreadyEnabled,
            ErrorCode::MfaNotEnabled,
        ] {
            let words = crate::error_text::error_text(&server(code));
            assert_ne!(words, generic, "{code:?} in {language:?}");
            assert!(seen.insert(words), "{code:?} shares its words");
        }
        // The app's own checks of a picked file (the server's codes for the
        // same refusals may read alike).
        let mut seen = std::collections::HashSet::new();
        for refusal in [
            crate::photo::PhotoError::Unreadable,
            crate::photo::PhotoError::NotAnImage,
            crate::photo::PhotoError::TooBig,
            crate::photo::PhotoError::TooLarge,
        ] {
            let words = crate::screen::settings::personal_info::photo_error_text(refusal);
            assert!(seen.insert(words), "{refusal:?} shares its words");
        }
    }
}
