//! Chinese word segmentation for the derived search index: names become space-separated tokens, and a query
//! becomes the tokens that every match must contain. Here too is the search's dialect seam, the one place the
//! backends' SQL differs: an FTS5 `MATCH` on SQLite, a token-array containment on PostgreSQL.

use std::sync::OnceLock;

use jieba_rs::Jieba;
use sqlx::QueryBuilder;

fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// Words lower-cased, without punctuation or spaces, each once, in first-seen order.
fn distinct<'a>(words: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in words {
        let word: String = word.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
        if !word.is_empty() && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// The value stored in a row's `search_tokens` column: jieba's search-mode segmentation of every text (words
/// and their sub-words), space-separated.
pub fn index_text<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    distinct(texts.into_iter().flat_map(|text| jieba().cut_for_search(text, true))).join(" ")
}

/// Search tokens of an organization: its name.
pub fn organization_tokens(name: &str) -> String {
    index_text([name])
}

/// Search tokens of a product: its name and brand.
pub fn product_tokens(name: &str, brand: Option<&str>) -> String {
    index_text(std::iter::once(name).chain(brand))
}

/// Tokens a query must all match: the segmentation of the query in accurate mode, so that a longer query
/// narrows the result rather than widening it.
pub fn query_tokens(query: &str) -> Vec<String> {
    distinct(jieba().cut(query, true))
}

/// The smallest string greater than every string starting with `prefix` (digits only), for index range scans.
pub(crate) fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut bytes = prefix.as_bytes().to_vec();
    while let Some(last) = bytes.pop() {
        if last < b'9' {
            bytes.push(last + 1);
            return Some(String::from_utf8(bytes).expect("ASCII digits"));
        }
    }
    None
}

/// An FTS5 query that requires every token, each quoted as a phrase.
fn fts5_match(tokens: &[String]) -> String {
    tokens.iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect::<Vec<_>>().join(" ")
}

/// Adds "holds every token" to a SQLite query over `table`, through its FTS5 index `{table}_fts`.
fn push_fts5_match(builder: &mut QueryBuilder<'_, sqlx::Sqlite>, table: &str, tokens: &[String]) {
    builder
        .push(format!(" AND rowid IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH "))
        .push_bind(fts5_match(tokens))
        .push(")");
}

/// Adds "holds every token" to a PostgreSQL query, through the GIN index over `search_tokens`.
fn push_token_match(builder: &mut QueryBuilder<'_, sqlx::Postgres>, tokens: &[String]) {
    builder.push(" AND string_to_array(search_tokens, ' ') @> ").push_bind(tokens.to_vec());
}

/// A query written once for both backends: SQL text, values to bind and, where asked, the full-text match,
/// which is the one piece each backend writes its own way ([`Dialect`]). It becomes a `QueryBuilder` of either.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone)]
enum Piece {
    Sql(String),
    Text(String),
    Int(i64),
    TextMatch { table: String, tokens: Vec<String> },
}

impl Query {
    /// A query opening with `sql`.
    pub(crate) fn new(sql: impl Into<String>) -> Query {
        Query { pieces: vec![Piece::Sql(sql.into())] }
    }

    pub(crate) fn push(&mut self, sql: impl Into<String>) -> &mut Query {
        self.pieces.push(Piece::Sql(sql.into()));
        self
    }

    pub(crate) fn bind_text(&mut self, value: impl Into<String>) -> &mut Query {
        self.pieces.push(Piece::Text(value.into()));
        self
    }

    pub(crate) fn bind_int(&mut self, value: i64) -> &mut Query {
        self.pieces.push(Piece::Int(value));
        self
    }

    /// ` AND` the rows of `table` whose search tokens hold every one of `tokens`.
    pub(crate) fn text_match(&mut self, table: &str, tokens: &[String]) -> &mut Query {
        self.pieces.push(Piece::TextMatch { table: table.to_owned(), tokens: tokens.to_vec() });
        self
    }

    /// The query for one backend.
    pub(crate) fn builder<'a, DB: Dialect>(&self) -> QueryBuilder<'a, DB>
    where
        String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    {
        let mut builder = QueryBuilder::new("");
        for piece in &self.pieces {
            match piece {
                Piece::Sql(sql) => {
                    builder.push(sql);
                }
                Piece::Text(value) => {
                    builder.push_bind(value.clone());
                }
                Piece::Int(value) => {
                    builder.push_bind(*value);
                }
                Piece::TextMatch { table, tokens } => DB::push_text_match(&mut builder, table, tokens),
            }
        }
        builder
    }
}

/// What differs between the backends' SQL: the full-text match.
pub(crate) trait Dialect: sqlx::Database {
    fn push_text_match(builder: &mut QueryBuilder<'_, Self>, table: &str, tokens: &[String]);
}

impl Dialect for sqlx::Sqlite {
    fn push_text_match(builder: &mut QueryBuilder<'_, Self>, table: &str, tokens: &[String]) {
        push_fts5_match(builder, table, tokens);
    }
}

impl Dialect for sqlx::Postgres {
    fn push_text_match(builder: &mut QueryBuilder<'_, Self>, _table: &str, tokens: &[String]) {
        push_token_match(builder, tokens);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_name_is_found_by_its_words() {
        let index = organization_tokens("杭州娃哈哈食品有限公司");
        let indexed: Vec<&str> = index.split(' ').collect();
        for query in ["娃哈哈", "杭州 食品", "有限公司", "娃哈哈食品"] {
            for token in query_tokens(query) {
                assert!(indexed.contains(&token.as_str()), "{query}: {token} not in {index}");
            }
        }
    }
}
