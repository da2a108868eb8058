//! OpenAPI `callbacks`: requests a service makes (to a URL its caller named) after it
//! answers an operation, e.g. a webhook telling the caller a job is done.

use crate::model::Operation;

/// One callback of an operation: one key expression of one named callback object.
///
/// Its operations are the ones the service *calls* on the caller's URL, so they are
/// never in [`Contract::operations`](crate::Contract::operations).
#[derive(Debug, Clone, PartialEq)]
pub struct Callback {
    /// Its name under `callbacks` (`onData`).
    pub name: String,
    /// The key expression, as written: where the service sends it
    /// (`{$request.body#/callbackUrl}/data`).
    pub expression: String,
    /// The operations of its path item (method, request body, responses); their `path`
    /// is the key expression.
    pub operations: Vec<Operation>,
    /// Where its path item is written (`/paths/~1streams/post/callbacks/onData/…`, or
    /// under `/components/callbacks` when it is a `$ref`).
    pub pointer: String,
}

/// A part of a callback's key expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlPiece {
    /// Literal text (`/data`, `http://notificationServer.com?transactionId=`).
    Text(String),
    /// A runtime expression, without its braces (`$request.body#/callbackUrl`).
    Expression(String),
}

impl Callback {
    /// The key expression split into text and `{$…}` expressions, in order. Braces
    /// whose content does not start with `$` are text.
    ///
    /// ```
    /// use crosscheck_contract::UrlPiece;
    /// let pieces = crosscheck_contract::callback_url_pieces("{$request.query.url}/data?id={$request.body#/id}");
    /// assert_eq!(pieces[0], UrlPiece::Expression("$request.query.url".into()));
    /// assert_eq!(pieces[1], UrlPiece::Text("/data?id=".into()));
    /// assert_eq!(pieces[2], UrlPiece::Expression("$request.body#/id".into()));
    /// ```
    pub fn pieces(&self) -> Vec<UrlPiece> {
        url_pieces(&self.expression)
    }

    /// The expression the URL's base comes from when a scenario can steer it: the key
    /// starts with a value the request sends (`$request.body#/…`, `$request.query.…`,
    /// `$request.header.…`). `None` for `$response…`, `$url`, or a URL written out.
    pub fn steered_base(&self) -> Option<String> {
        match self.pieces().first() {
            Some(UrlPiece::Expression(e))
                if e.starts_with("$request.body#/")
                    || e.starts_with("$request.query.")
                    || e.starts_with("$request.header.") =>
            {
                Some(e.clone())
            }
            _ => None,
        }
    }
}

/// A key expression split into text and `{$…}` expressions (see [`Callback::pieces`]).
pub fn url_pieces(expression: &str) -> Vec<UrlPiece> {
    // An early 3.0 draft wrote the key as one bare expression: `$request.body#/url`.
    if expression.starts_with('$') && !expression.contains('{') {
        return vec![UrlPiece::Expression(expression.trim().to_owned())];
    }
    let mut out: Vec<UrlPiece> = Vec::new();
    let mut text = String::new();
    let mut rest = expression;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let inner = &rest[open + 1..open + close];
        if inner.trim_start().starts_with('$') {
            text.push_str(&rest[..open]);
            if !text.is_empty() {
                out.push(UrlPiece::Text(std::mem::take(&mut text)));
            }
            out.push(UrlPiece::Expression(inner.trim().to_owned()));
        } else {
            text.push_str(&rest[..=open + close]);
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(UrlPiece::Text(text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cb(expression: &str) -> Callback {
        Callback {
            name: "c".into(),
            expression: expression.into(),
            operations: vec![],
            pointer: String::new(),
        }
    }

    #[test]
    fn pieces_and_steered_bases() {
        let c = cb(
            "http://notificationServer.com?transactionId={$request.body#/id}&email={$request.body#/email}",
        );
        assert_eq!(
            c.pieces(),
            vec![
                UrlPiece::Text("http://notificationServer.com?transactionId=".into()),
                UrlPiece::Expression("$request.body#/id".into()),
                UrlPiece::Text("&email=".into()),
                UrlPiece::Expression("$request.body#/email".into()),
            ]
        );
        assert_eq!(c.steered_base(), None);
        assert_eq!(
            cb("{$request.body#/callbackUrl}/data").steered_base(),
            Some("$request.body#/callbackUrl".into())
        );
        assert_eq!(
            cb("{$request.query.queryUrl}").steered_base(),
            Some("$request.query.queryUrl".into())
        );
        assert_eq!(
            cb("{$request.header.X-Hook}").steered_base(),
            Some("$request.header.X-Hook".into())
        );
        assert_eq!(cb("{$response.body#/hook}").steered_base(), None);
        assert_eq!(
            cb("$request.body#/url").steered_base(),
            Some("$request.body#/url".into())
        );
        assert_eq!(
            url_pieces("/a/{id}/{$url}"),
            vec![
                UrlPiece::Text("/a/{id}/".into()),
                UrlPiece::Expression("$url".into())
            ]
        );
        assert_eq!(
            url_pieces("x{unclosed"),
            vec![UrlPiece::Text("x{unclosed".into())]
        );
    }
}
