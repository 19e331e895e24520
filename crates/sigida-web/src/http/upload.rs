//! Forms that send files (`multipart/form-data`): their text fields and their files, read whole
//! within the route's body limit (over it: 413 with what to do), for the import pages.

use axum::extract::Multipart;
use sigida_report::Lang;

use crate::http::error::WebError;
use crate::http::form::Fields;

/// A file sent in a form: the form field it came in, its name, its bytes.
pub struct SentFile {
    pub field: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What a file form sent.
pub struct Sent {
    pub fields: Fields,
    pub files: Vec<SentFile>,
}

impl Sent {
    /// Reads every part; a file input left empty sends no file.
    pub async fn read(mut multipart: Multipart, lang: Lang) -> Result<Sent, WebError> {
        let mut fields = Vec::new();
        let mut files = Vec::new();
        while let Some(part) = multipart
            .next_field()
            .await
            .map_err(|e| WebError::upload(lang, e))?
        {
            let field = part.name().unwrap_or_default().to_owned();
            match part.file_name().map(str::to_owned) {
                Some(name) => {
                    let bytes = part.bytes().await.map_err(|e| WebError::upload(lang, e))?;
                    if !name.is_empty() && !bytes.is_empty() {
                        files.push(SentFile {
                            field,
                            name,
                            bytes: bytes.to_vec(),
                        });
                    }
                }
                None => {
                    let text = part.text().await.map_err(|e| WebError::upload(lang, e))?;
                    fields.push((field, text));
                }
            }
        }
        Ok(Sent {
            fields: Fields(fields),
            files,
        })
    }

    /// The files sent in `field`, in the order chosen.
    pub fn files<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a SentFile> {
        self.files.iter().filter(move |f| f.field == field)
    }
}
