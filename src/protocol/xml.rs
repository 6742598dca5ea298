//! The v2 XML codec: one flat `<xml>` root whose children are `name -> text` fields.
//!
//! Parsing is strict because notification bodies come from the network: any DOCTYPE, entity
//! other than the five predefined ones and character references, comment, processing
//! instruction, attribute, nested element, duplicate field or non-UTF-8 byte is rejected.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::Params;

/// Largest XML body accepted, in bytes. Real notifications are about 1 KiB; the largest
/// request field (`detail`) is 6000 characters.
pub const MAX_XML_BODY_BYTES: usize = 64 * 1024;
/// Largest number of fields accepted in one body.
pub const MAX_XML_FIELDS: usize = 256;
/// Name of the root element.
pub const ROOT_ELEMENT: &str = "xml";

/// A reason a body is not an acceptable v2 XML document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("the body is empty")]
    Empty,
    #[error("the body is {len} bytes, above the limit of {MAX_XML_BODY_BYTES}")]
    TooLarge { len: usize },
    #[error("the body is not valid UTF-8")]
    NotUtf8,
    #[error("the body declares a DOCTYPE, which is never accepted")]
    Doctype,
    #[error("the body uses entity &{name}; which is not one of the predefined XML entities")]
    UnknownEntity { name: String },
    #[error("the root element is <{name}>, expected <{expected}>")]
    WrongRoot {
        name: String,
        expected: &'static str,
    },
    #[error("element <{name}> is nested inside a field; only a flat <xml> is accepted")]
    Nested { name: String },
    #[error("field <{name}> appears more than once")]
    DuplicateField { name: String },
    #[error("the body has more than {MAX_XML_FIELDS} fields")]
    TooManyFields,
    #[error("field name {name:?} has characters other than letters, digits and '_'")]
    BadFieldName { name: String },
    #[error("the body has {what}, which is not accepted")]
    Unexpected { what: &'static str },
    #[error("the XML is truncated or malformed: {detail}")]
    Malformed { detail: String },
}

/// Parses a flat `<xml>` body into fields.
pub fn parse(body: &[u8]) -> Result<Params, XmlError> {
    parse_with_root(body, ROOT_ELEMENT)
}

/// Parses a flat document whose root element is `root`, with the same rules as [`parse`].
/// The decrypted `req_info` of a refund notification uses `<root>`.
pub fn parse_with_root(body: &[u8], root: &'static str) -> Result<Params, XmlError> {
    if body.len() > MAX_XML_BODY_BYTES {
        return Err(XmlError::TooLarge { len: body.len() });
    }
    let text = std::str::from_utf8(body).map_err(|_| XmlError::NotUtf8)?;
    if text.trim().is_empty() {
        return Err(XmlError::Empty);
    }
    // The reader reports a DOCTYPE as an event, but refusing on sight also covers a DOCTYPE
    // hidden where the reader would fail first with a less telling error.
    if text.contains("<!DOCTYPE") || text.contains("<!ENTITY") {
        return Err(XmlError::Doctype);
    }

    let mut parser = FlatParser {
        root,
        ..FlatParser::default()
    };
    let mut reader = Reader::from_str(text);
    loop {
        let event = reader.read_event().map_err(|err| XmlError::Malformed {
            detail: err.to_string(),
        })?;
        if parser.feed(event)? {
            return Ok(parser.fields);
        }
    }
}

/// The parser's position in the document.
#[derive(Default, PartialEq, Eq)]
enum Depth {
    #[default]
    BeforeRoot,
    InRoot,
    InField,
    AfterRoot,
}

#[derive(Default)]
struct FlatParser {
    root: &'static str,
    depth: Depth,
    fields: Params,
    field_name: String,
    field_value: String,
}

impl FlatParser {
    /// Takes one event; returns `true` once the whole document was read.
    fn feed(&mut self, event: Event<'_>) -> Result<bool, XmlError> {
        match event {
            Event::Decl(_) if self.depth == Depth::BeforeRoot => {}
            Event::Decl(_) => {
                return Err(XmlError::Unexpected {
                    what: "a second XML declaration",
                });
            }
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::PI(_) => {
                return Err(XmlError::Unexpected {
                    what: "a processing instruction",
                });
            }
            Event::Comment(_) => return Err(XmlError::Unexpected { what: "a comment" }),
            Event::Start(start) => {
                if start.attributes().next().is_some() {
                    return Err(XmlError::Unexpected {
                        what: "an attribute",
                    });
                }
                let name = start.name().as_ref().to_owned();
                self.open(name)?;
            }
            Event::Empty(start) => {
                if start.attributes().next().is_some() {
                    return Err(XmlError::Unexpected {
                        what: "an attribute",
                    });
                }
                let name = start.name().as_ref().to_owned();
                if self.depth != Depth::InRoot {
                    return Err(XmlError::Unexpected {
                        what: "an empty element outside <xml>",
                    });
                }
                self.open(name)?;
                self.close()?;
            }
            Event::End(_) => self.close()?,
            Event::Text(text) => self.text(&text.xml10_content())?,
            Event::CData(data) => {
                if self.depth != Depth::InField {
                    return Err(XmlError::Unexpected {
                        what: "CDATA outside a field",
                    });
                }
                let content = data.xml10_content();
                self.field_value.push_str(&content);
            }
            Event::GeneralRef(reference) => {
                let resolved = resolve_reference(&reference)?;
                if self.depth != Depth::InField {
                    return Err(XmlError::Unexpected {
                        what: "a reference outside a field",
                    });
                }
                self.field_value.push(resolved);
            }
            Event::Eof => {
                return if self.depth == Depth::AfterRoot {
                    Ok(true)
                } else {
                    Err(XmlError::Malformed {
                        detail: "the document ends before </xml>".into(),
                    })
                };
            }
        }
        Ok(false)
    }

    fn open(&mut self, name: String) -> Result<(), XmlError> {
        match self.depth {
            Depth::BeforeRoot if name == self.root => self.depth = Depth::InRoot,
            Depth::BeforeRoot => {
                return Err(XmlError::WrongRoot {
                    name,
                    expected: self.root,
                });
            }
            Depth::InRoot => {
                if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    return Err(XmlError::BadFieldName { name });
                }
                if self.fields.contains_key(&name) {
                    return Err(XmlError::DuplicateField { name });
                }
                if self.fields.len() >= MAX_XML_FIELDS {
                    return Err(XmlError::TooManyFields);
                }
                self.field_name = name;
                self.field_value.clear();
                self.depth = Depth::InField;
            }
            Depth::InField => return Err(XmlError::Nested { name }),
            Depth::AfterRoot => {
                return Err(XmlError::Unexpected {
                    what: "an element after </xml>",
                });
            }
        }
        Ok(())
    }

    fn close(&mut self) -> Result<(), XmlError> {
        match self.depth {
            Depth::InField => {
                let name = std::mem::take(&mut self.field_name);
                let value = std::mem::take(&mut self.field_value);
                self.fields.insert(name, value);
                self.depth = Depth::InRoot;
            }
            Depth::InRoot => self.depth = Depth::AfterRoot,
            Depth::BeforeRoot | Depth::AfterRoot => {
                return Err(XmlError::Malformed {
                    detail: "a closing tag without its opening tag".into(),
                });
            }
        }
        Ok(())
    }

    fn text(&mut self, text: &str) -> Result<(), XmlError> {
        if self.depth == Depth::InField {
            self.field_value.push_str(text);
        } else if !text.trim().is_empty() {
            return Err(XmlError::Unexpected {
                what: "text outside a field",
            });
        }
        Ok(())
    }
}

/// Resolves `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;` and character references; anything
/// else would need a DTD, which is never accepted.
fn resolve_reference(reference: &quick_xml::events::BytesRef<'_>) -> Result<char, XmlError> {
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(resolved)) => Ok(resolved),
            _ => Err(XmlError::Malformed {
                detail: "an invalid character reference".into(),
            }),
        };
    }
    let name = reference.xml10_content();
    match name.as_ref() {
        "amp" => Ok('&'),
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        other => Err(XmlError::UnknownEntity {
            name: other.to_owned(),
        }),
    }
}

/// Serializes fields as a flat `<xml>` document: integers bare, other values in CDATA (a `]]>`
/// inside a value is split across two CDATA sections), empty values as empty elements' text.
pub fn to_xml(params: &Params) -> String {
    let mut out = String::with_capacity(64 + params.len() * 48);
    out.push_str("<xml>");
    for (name, value) in params {
        out.push('<');
        out.push_str(name);
        out.push('>');
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(value);
        } else if !value.is_empty() {
            out.push_str("<![CDATA[");
            out.push_str(&value.replace("]]>", "]]]]><![CDATA[>"));
            out.push_str("]]>");
        }
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
    out.push_str("</xml>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdata_escapes_and_bare_numbers_are_read() {
        let body = "<?xml version=\"1.0\"?>\n<xml>\n  <a><![CDATA[x&y<z]]></a>\n  <b>1&amp;2&#x4e2d;&lt;</b>\n  <c>100</c><d/><e></e>\n</xml>\n";
        let fields = parse(body.as_bytes()).unwrap();
        assert_eq!(fields["a"], "x&y<z");
        assert_eq!(fields["b"], "1&2中<");
        assert_eq!(fields["c"], "100");
        assert_eq!(fields["d"], "");
        assert_eq!(fields["e"], "");
    }

    #[test]
    fn written_xml_reads_back_identically() {
        let mut fields = Params::new();
        fields.insert("body".into(), "奶茶 & <蛋糕> ]]> end".into());
        fields.insert("total_fee".into(), "1990".into());
        fields.insert("empty".into(), String::new());
        let text = to_xml(&fields);
        assert_eq!(parse(text.as_bytes()).unwrap(), fields);
    }

    #[test]
    fn success_reply_bytes_match_the_documented_form() {
        let mut fields = Params::new();
        fields.insert("return_code".into(), "SUCCESS".into());
        fields.insert("return_msg".into(), "OK".into());
        assert_eq!(
            to_xml(&fields),
            "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"
        );
    }

    #[test]
    fn hostile_bodies_are_rejected() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "empty"),
            (b"   ", "blank"),
            (
                b"<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml><a>&x;</a></xml>",
                "doctype",
            ),
            (b"<xml><a>&x;</a></xml>", "unknown entity"),
            (b"<xml><a><b>1</b></a></xml>", "nested"),
            (b"<xml><a>1</a><a>2</a></xml>", "duplicate"),
            (b"<xml><a>1</a>", "truncated"),
            (b"<xml><a>1</xml>", "mismatched"),
            (b"<root><a>1</a></root>", "wrong root"),
            (b"<xml a=\"1\"><b>1</b></xml>", "attribute"),
            (b"<xml><a>\xff\xfe</a></xml>", "not utf-8"),
            (b"<xml><!-- c --><a>1</a></xml>", "comment"),
            (b"<xml><?pi x?><a>1</a></xml>", "processing instruction"),
            (b"<xml>text<a>1</a></xml>", "stray text"),
            (b"<xml><a>1</a></xml><xml></xml>", "second root"),
            (b"<xml><a-b>1</a-b></xml>", "bad field name"),
        ];
        for (body, case) in cases {
            assert!(parse(body).is_err(), "{case} should be rejected");
        }
    }

    #[test]
    fn oversized_body_is_rejected_by_the_named_cap() {
        let body = vec![b' '; MAX_XML_BODY_BYTES + 1];
        assert_eq!(
            parse(&body),
            Err(XmlError::TooLarge {
                len: MAX_XML_BODY_BYTES + 1
            })
        );
    }
}
