//! Files people bring, whatever brings them (a command, an upload, the demo).

/// A file a person brings: its name (kept with the raw file) and how messages name it (the
/// path given on the command line, or the name of an upload).
#[derive(Clone, Copy, Debug)]
pub struct Upload<'a> {
    pub name: &'a str,
    pub shown: &'a str,
    pub bytes: &'a [u8],
}
