//! The key-product catalogue on pages: a code's name in the page language, and the choices of a form's select,
//! both read from the catalogue in force (so a product an administrator added appears without a release).

use maud::{html, Markup};
use product_catalogue::{Catalogue, Entry, Level, Listing};

use crate::i18n::Lang;

/// An entry's name in the page language.
pub fn entry_name(lang: Lang, entry: &Entry) -> &str {
    lang.pick(&entry.name_zh, &entry.name_en)
}

/// The name of a catalogue code in the page language; the code itself when the catalogue does not hold it.
pub fn category_name(catalogue: &Catalogue, lang: Lang, code: &str) -> String {
    catalogue.entry(code).map_or_else(|| code.to_owned(), |e| entry_name(lang, e).to_owned())
}

/// The `<option>`s of a category select: the listed products grouped by class (the newest catalogue edition
/// first, then zhiliang's earlier categories); with `classes`, a class may be chosen as well.
pub fn category_options(catalogue: &Catalogue, lang: Lang, selected: Option<&str>, classes: bool) -> Markup {
    let mut groups: Vec<&Entry> =
        catalogue.entries().filter(|e| e.level == Level::Class && e.listing == Listing::Listed).collect();
    groups.sort_by_key(|e| (std::cmp::Reverse(e.edition), e.code.clone()));
    html! {
        @for class in groups {
            @let edition = class.edition.map_or_else(|| lang.t("抽查类别", "sampling categories").to_owned(), |y| y.to_string());
            optgroup label=(format!("{edition} · {}", entry_name(lang, class))) {
                @if classes {
                    option value=(class.code) selected[selected == Some(class.code.as_str())] {
                        (class.code) " " (entry_name(lang, class)) " (" (lang.t("全类", "whole class")) ")"
                    }
                }
                @for product in catalogue.products_of(&class.code) {
                    option value=(product.code) selected[selected == Some(product.code.as_str())] {
                        (product.code) " " (entry_name(lang, product))
                    }
                }
            }
        }
    }
}
