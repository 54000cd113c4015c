//! Chinese word segmentation for the derived search index: names become space-separated tokens, and a query
//! becomes the tokens that every match must contain.

use std::sync::OnceLock;

use jieba_rs::Jieba;

fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// Tokens for a name: jieba's search-mode segmentation (words and their sub-words), lower-cased, without
/// punctuation or spaces, each once.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in jieba().cut_for_search(text, true) {
        let word: String = word.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
        if !word.is_empty() && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// The value stored in a row's `search_tokens` column.
pub fn index_text(names: &[&str]) -> String {
    let mut all: Vec<String> = Vec::new();
    for name in names {
        for token in tokens(name) {
            if !all.contains(&token) {
                all.push(token);
            }
        }
    }
    all.join(" ")
}

/// Tokens a query must all match: the segmentation of the query in accurate mode, so that a longer query
/// narrows the result rather than widening it.
pub fn query_tokens(query: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in jieba().cut(query, true) {
        let word: String = word.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
        if !word.is_empty() && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_name_is_found_by_its_words() {
        let index = index_text(&["杭州娃哈哈食品有限公司"]);
        let indexed: Vec<&str> = index.split(' ').collect();
        for query in ["娃哈哈", "杭州 食品", "有限公司", "娃哈哈食品"] {
            for token in query_tokens(query) {
                assert!(indexed.contains(&token.as_str()), "{query}: {token} not in {index}");
            }
        }
    }
}
