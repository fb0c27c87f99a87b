//! Translations: Fluent files in `i18n/<lang>/relay.ftl`, embedded at build
//! time. `fl!("id")` / `fl!("id", name = value)` look a message up in the
//! current language; switching language re-renders at once because every
//! view calls `fl!` afresh.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU8, Ordering};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    Chinese,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::English, Language::Chinese];

    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en-US",
            Language::Chinese => "zh-CN",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Self> {
        let tag = tag.to_ascii_lowercase().replace('_', "-");
        if tag.starts_with("zh") {
            Some(Language::Chinese)
        } else if tag.starts_with("en") {
            Some(Language::English)
        } else {
            None
        }
    }

    /// The OS language, when it is one we speak; English otherwise.
    pub fn from_os() -> Self {
        sys_locale::get_locale()
            .and_then(|l| Self::from_tag(&l))
            .unwrap_or(Language::English)
    }

    /// The language's name in itself, for language pickers.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Chinese => "简体中文",
        }
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.native_name())
    }
}

pub const EN_US: &str = include_str!("../i18n/en-US/relay.ftl");
pub const ZH_CN: &str = include_str!("../i18n/zh-CN/relay.ftl");

fn bundle(tag: &str, source: &str) -> FluentBundle<FluentResource> {
    let lang: LanguageIdentifier = tag.parse().expect("valid language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![lang]);
    // Unicode isolation marks would show as boxes in some fonts.
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(source.to_string()).expect("the .ftl files parse");
    bundle
        .add_resource(resource)
        .expect("no duplicate message ids");
    bundle
}

static BUNDLES: LazyLock<[FluentBundle<FluentResource>; 2]> =
    LazyLock::new(|| [bundle("en-US", EN_US), bundle("zh-CN", ZH_CN)]);

static CURRENT: AtomicU8 = AtomicU8::new(0);

pub fn set_language(language: Language) {
    CURRENT.store(language as u8, Ordering::Relaxed);
}

pub fn language() -> Language {
    match CURRENT.load(Ordering::Relaxed) {
        1 => Language::Chinese,
        _ => Language::English,
    }
}

/// The message `id` in the current language (English if it is missing
/// there, the id itself if missing everywhere — a test keeps that from
/// happening).
pub fn translate(id: &str, args: Option<&FluentArgs<'_>>) -> String {
    let bundles = &*BUNDLES;
    let preferred = &bundles[language() as usize];
    for bundle in [preferred, &bundles[0]] {
        if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            return bundle
                .format_pattern(pattern, args, &mut errors)
                .into_owned();
        }
    }
    id.to_string()
}

pub fn args<'a>(pairs: Vec<(&'a str, FluentValue<'a>)>) -> FluentArgs<'a> {
    let mut args = FluentArgs::new();
    for (k, v) in pairs {
        args.set(k, v);
    }
    args
}

#[macro_export]
macro_rules! fl {
    ($id:literal) => {
        $crate::i18n::translate($id, None)
    };
    ($id:literal, $($key:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::translate(
            $id,
            Some(&$crate::i18n::args(vec![$((stringify!($key), ::fluent_bundle::FluentValue::from($value))),+])),
        )
    };
}

/// Message ids defined in a `.ftl` source.
#[cfg(test)]
pub fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains(" ="))
        .filter_map(|l| l.split(" =").next())
        .map(|id| id.trim().to_string())
        .filter(|id| !id.is_empty())
        .collect()
}
