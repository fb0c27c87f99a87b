//! Personal info: the photo (picked with the OS file dialog, decoded off
//! the UI thread, cropped to a square, uploaded), the display name and the
//! account's language (which also decides the language of its mail and
//! SMS), saved with inline errors; the username and the bound addresses,
//! shown (they change under Security).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use iced::widget::{button, column, image, pick_list, row, text, text_input};
use iced::{Element, Task};
use relay_core::{ApiError, Session};
use relay_protocol::ErrorCode;
use relay_protocol::api::{UpdateMeRequest, User};
use relay_protocol::mask::{mask_email, mask_phone};

use crate::error_text::{ends_session, error_text};
use crate::fl;
use crate::photo::{self, PhotoError, Picture};
use crate::theme::{DANGER, MUTED, SPACE_L, SPACE_M, SPACE_S, SUCCESS, TEXT_S};
use crate::widget::avatar_menu;
use crate::widget::card::card;
use crate::widget::password_field::labelled_input;

use super::photo_crop::{self, CropDialog};

pub const PHOTO_PATH_ID: &str = "photo-path";

pub const NAME_ID: &str = "personal-name";
use relay_protocol::api::DISPLAY_NAME_MAX as NAME_MAX;

/// A language an account can have, as shown in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLanguage(pub &'static str);

impl std::fmt::Display for AccountLanguage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Each language in its own name, whatever the app's language.
        f.write_str(match self.0 {
            "zh-CN" => "简体中文",
            _ => "English",
        })
    }
}

const LANGUAGES: [AccountLanguage; 2] = [AccountLanguage("en-US"), AccountLanguage("zh-CN")];

#[derive(Debug)]
pub struct PersonalInfo {
    session: Session,
    user: User,
    name: String,
    locale: AccountLanguage,
    busy: bool,
    name_error: Option<String>,
    error: Option<String>,
    saved: bool,
    /// The photo on screen (the parent keeps it; a change is an event).
    photo: Option<image::Handle>,
    /// Where the account's photos are cached on disk.
    photo_dir: Option<PathBuf>,
    crop: Option<CropDialog>,
    photo_busy: bool,
    photo_error: Option<String>,
    /// Shown when no file dialog is available.
    path_entry: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Name(String),
    Locale(AccountLanguage),
    Save,
    Saved(Result<User, ApiError>),
    ChangePhoto,
    Picked(Option<PathBuf>, Duration),
    PathInput(String),
    OpenPath,
    Loaded(Result<Picture, PhotoError>),
    Crop(photo_crop::Message),
    Uploaded(Result<(String, Vec<u8>), ApiError>),
    RemovePhoto,
    Removed(Result<(), ApiError>),
    Reloaded(Result<User, ApiError>),
}

pub enum Event {
    UserChanged(User),
    /// A new photo (its version and picture), or none.
    PhotoChanged(Option<(String, image::Handle)>),
    SessionEnded(ApiError),
}

/// The translated refusal of a picked file.
pub fn photo_error_text(e: PhotoError) -> String {
    match e {
        PhotoError::Unreadable => fl!("photo-unreadable"),
        PhotoError::NotAnImage => fl!("photo-not-an-image"),
        PhotoError::TooBig => fl!("photo-too-big"),
        PhotoError::TooLarge => fl!("photo-too-large"),
    }
}

/// The OS file dialog for a picture; how long it was open tells whether
/// one was shown at all.
async fn pick_photo() -> (Option<PathBuf>, Duration) {
    let started = Instant::now();
    let picked = rfd::AsyncFileDialog::new()
        .add_filter(fl!("photo-filter"), &["png", "jpg", "jpeg", "webp"])
        .pick_file()
        .await
        .map(|h| h.path().to_path_buf());
    (picked, started.elapsed())
}

fn language_of(locale: &str) -> AccountLanguage {
    LANGUAGES
        .iter()
        .find(|l| l.0 == locale)
        .cloned()
        .unwrap_or(AccountLanguage("en-US"))
}

impl PersonalInfo {
    pub fn open(
        session: Session,
        user: User,
        photo: Option<image::Handle>,
        photo_dir: Option<PathBuf>,
    ) -> Self {
        Self {
            photo,
            photo_dir,
            crop: None,
            photo_busy: false,
            photo_error: None,
            path_entry: None,
            session,
            name: user.display_name.clone(),
            locale: language_of(&user.locale),
            user,
            busy: false,
            name_error: None,
            error: None,
            saved: false,
        }
    }

    fn changed(&self) -> bool {
        self.name.trim() != self.user.display_name || self.locale.0 != self.user.locale
    }

    /// The name's problem, checked here first as the server will.
    fn name_problem(&self) -> Option<String> {
        let name = self.name.trim();
        if name.is_empty() {
            Some(fl!("personal-name-required"))
        } else if name.chars().count() > NAME_MAX {
            Some(fl!("personal-name-too-long", max = NAME_MAX))
        } else {
            None
        }
    }

    pub fn can_save(&self) -> bool {
        !self.busy && self.changed()
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Name(name) => {
                self.name = name;
                self.name_error = None;
                self.saved = false;
            }
            Message::Locale(l) => {
                self.locale = l;
                self.saved = false;
            }
            Message::Save => {
                if !self.can_save() {
                    return (Task::none(), None);
                }
                if let Some(problem) = self.name_problem() {
                    self.name_error = Some(problem);
                    return (iced::widget::operation::focus(NAME_ID), None);
                }
                self.busy = true;
                self.error = None;
                let change = UpdateMeRequest {
                    display_name: Some(self.name.trim().to_string())
                        .filter(|n| *n != self.user.display_name),
                    locale: Some(self.locale.0.to_string()).filter(|l| *l != self.user.locale),
                };
                let s = self.session.clone();
                return (
                    Task::perform(async move { s.update_me(&change).await }, Message::Saved),
                    None,
                );
            }
            Message::Saved(Ok(user)) => {
                self.busy = false;
                self.saved = true;
                self.name = user.display_name.clone();
                self.locale = language_of(&user.locale);
                self.user = user.clone();
                return (Task::none(), Some(Event::UserChanged(user)));
            }
            Message::ChangePhoto => {
                self.photo_error = None;
                return (
                    Task::perform(pick_photo(), |(p, d)| Message::Picked(p, d)),
                    None,
                );
            }
            Message::Picked(Some(path), _) => return (self.load_photo(path), None),
            Message::Picked(None, open_for) => {
                if open_for < super::NO_FILE_DIALOG {
                    self.path_entry = Some(String::new());
                    self.photo_error = Some(fl!("photo-no-dialog"));
                    return (iced::widget::operation::focus(PHOTO_PATH_ID), None);
                }
            }
            Message::PathInput(p) => {
                self.path_entry = Some(p);
                self.photo_error = None;
            }
            Message::OpenPath => {
                let path = self.path_entry.clone().unwrap_or_default();
                let path = path.trim();
                if !path.is_empty() {
                    return (self.load_photo(PathBuf::from(path)), None);
                }
            }
            Message::Loaded(Ok(picture)) => {
                self.photo_busy = false;
                self.path_entry = None;
                self.photo_error = None;
                self.crop = Some(CropDialog::new(picture));
            }
            Message::Loaded(Err(e)) => {
                self.photo_busy = false;
                self.photo_error = Some(photo_error_text(e));
            }
            Message::Crop(m) => {
                let Some(crop) = &mut self.crop else {
                    return (Task::none(), None);
                };
                crop.update(&m);
                match m {
                    photo_crop::Message::Cancel => self.crop = None,
                    photo_crop::Message::Save if !crop.busy => {
                        crop.busy = true;
                        crop.error = None;
                        let (picture, area, s) =
                            (crop.picture.clone(), crop.crop, self.session.clone());
                        return (
                            Task::perform(
                                async move {
                                    let png =
                                        photo::off_ui(move || photo::upload_png(&picture, area))
                                            .await
                                            .ok_or(ApiError::Unexpected)?;
                                    let version = s.put_avatar(png.clone()).await?;
                                    Ok((version, png))
                                },
                                Message::Uploaded,
                            ),
                            None,
                        );
                    }
                    _ => {}
                }
            }
            Message::Uploaded(Ok((version, png))) => {
                self.crop = None;
                if let Some(dir) = &self.photo_dir
                    && let Err(e) =
                        photo::store_in_cache(dir, &self.user.id.to_string(), &version, &png)
                {
                    tracing::warn!(error = %e, "photo not cached");
                }
                let Some(handle) = photo::handle(&png) else {
                    return (Task::none(), None);
                };
                self.photo = Some(handle.clone());
                let s = self.session.clone();
                return (
                    Task::perform(async move { s.me().await }, Message::Reloaded),
                    Some(Event::PhotoChanged(Some((version, handle)))),
                );
            }
            Message::Uploaded(Err(e)) => {
                if ends_session(&e) {
                    return (Task::none(), Some(Event::SessionEnded(e)));
                }
                if let Some(crop) = &mut self.crop {
                    crop.busy = false;
                    crop.error = Some(error_text(&e));
                }
            }
            Message::RemovePhoto => {
                self.photo_busy = true;
                let s = self.session.clone();
                return (
                    Task::perform(async move { s.delete_avatar().await }, Message::Removed),
                    None,
                );
            }
            Message::Removed(Ok(())) => {
                self.photo_busy = false;
                self.photo = None;
                let s = self.session.clone();
                return (
                    Task::perform(async move { s.me().await }, Message::Reloaded),
                    Some(Event::PhotoChanged(None)),
                );
            }
            Message::Removed(Err(e)) => {
                self.photo_busy = false;
                if ends_session(&e) {
                    return (Task::none(), Some(Event::SessionEnded(e)));
                }
                self.photo_error = Some(error_text(&e));
            }
            Message::Reloaded(Ok(user)) => {
                self.user = user.clone();
                return (Task::none(), Some(Event::UserChanged(user)));
            }
            Message::Reloaded(Err(e)) => {
                if ends_session(&e) {
                    return (Task::none(), Some(Event::SessionEnded(e)));
                }
            }
            Message::Saved(Err(e)) => {
                self.busy = false;
                if ends_session(&e) {
                    return (Task::none(), Some(Event::SessionEnded(e)));
                }
                if e.is(ErrorCode::ValidationFailed) {
                    self.name_error = Some(fl!("personal-name-invalid"));
                } else {
                    self.error = Some(error_text(&e));
                }
            }
        }
        (Task::none(), None)
    }

    fn load_photo(&mut self, path: PathBuf) -> Task<Message> {
        self.photo_busy = true;
        self.photo_error = None;
        Task::perform(
            async move {
                photo::off_ui(move || photo::load(&path))
                    .await
                    .unwrap_or(Err(PhotoError::Unreadable))
            },
            Message::Loaded,
        )
    }

    pub fn dialog_open(&self) -> bool {
        self.crop.is_some()
    }

    /// The crop dialog, drawn by the parent over the whole window.
    pub fn dialog_view(&self) -> Option<Element<'_, Message>> {
        self.crop.as_ref().map(|c| c.view().map(Message::Crop))
    }

    pub fn on_escape(&self) -> Option<Message> {
        self.crop
            .as_ref()
            .map(|_| Message::Crop(photo_crop::Message::Cancel))
    }

    fn photo_card(&self) -> Element<'_, Message> {
        let picture = avatar_menu::picture(&self.user, self.photo.as_ref(), 96.0);
        let mut actions = row![
            button(text(fl!("photo-change")).size(TEXT_S))
                .style(button::secondary)
                .on_press_maybe((!self.photo_busy).then_some(Message::ChangePhoto))
        ]
        .spacing(SPACE_S);
        if self.user.avatar_version.is_some() {
            actions = actions.push(
                button(text(fl!("photo-remove")).size(TEXT_S))
                    .style(button::text)
                    .on_press_maybe((!self.photo_busy).then_some(Message::RemovePhoto)),
            );
        }
        let mut side =
            column![actions, text(fl!("photo-hint")).size(TEXT_S).color(MUTED)].spacing(SPACE_S);
        if let Some(path) = &self.path_entry {
            side = side.push(
                row![
                    text_input(&fl!("photo-path-placeholder"), path)
                        .id(PHOTO_PATH_ID)
                        .on_input(Message::PathInput)
                        .on_submit(Message::OpenPath)
                        .size(TEXT_S)
                        .padding(6),
                    button(text(fl!("photo-open")).size(TEXT_S))
                        .style(button::secondary)
                        .on_press(Message::OpenPath),
                ]
                .spacing(SPACE_S)
                .align_y(iced::Center),
            );
        }
        if let Some(e) = &self.photo_error {
            side = side.push(text(e).size(TEXT_S).color(DANGER));
        }
        row![picture, side]
            .spacing(SPACE_L)
            .align_y(iced::Center)
            .into()
    }

    pub fn view(&self) -> Element<'_, Message> {
        let none = fl!("personal-none");
        let line = |label: String, value: String| {
            row![
                text(label).size(TEXT_S).color(MUTED).width(140),
                text(value).size(TEXT_S)
            ]
            .spacing(SPACE_M)
        };
        let mut form = column![
            labelled_input(
                fl!("personal-name"),
                NAME_ID,
                String::new(),
                &self.name,
                Message::Name,
                Some(Message::Save),
                self.name_error.clone(),
            ),
            column![
                text(fl!("personal-language")).size(TEXT_S),
                pick_list(LANGUAGES, Some(self.locale.clone()), Message::Locale).text_size(TEXT_S),
                text(fl!("personal-language-hint"))
                    .size(TEXT_S)
                    .color(MUTED),
            ]
            .spacing(4),
        ]
        .spacing(SPACE_M)
        .max_width(460);
        if let Some(e) = &self.error {
            form = form.push(text(e).size(TEXT_S).color(DANGER));
        }
        let label = if self.busy {
            fl!("personal-saving")
        } else {
            fl!("personal-save")
        };
        let mut actions = row![
            button(text(label))
                .padding([SPACE_S + 2.0, SPACE_L])
                .style(button::primary)
                .on_press_maybe(self.can_save().then_some(Message::Save))
        ]
        .spacing(SPACE_M)
        .align_y(iced::Center);
        if self.saved {
            actions = actions.push(text(fl!("personal-saved")).size(TEXT_S).color(SUCCESS));
        }
        form = form.push(actions);
        card(
            fl!("personal-title"),
            column![
                self.photo_card(),
                form,
                line(fl!("personal-login"), self.user.login.clone()),
                line(
                    fl!("personal-email"),
                    self.user
                        .email
                        .as_deref()
                        .map(mask_email)
                        .unwrap_or(none.clone())
                ),
                line(
                    fl!("personal-phone"),
                    self.user.phone.as_deref().map(mask_phone).unwrap_or(none)
                ),
                text(fl!("personal-contact-hint")).size(TEXT_S).color(MUTED),
            ]
            .spacing(SPACE_M),
        )
    }
}
