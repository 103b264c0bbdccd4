//! Data files that staff edit (the respite guide, instruments): TOML, checked at start, every
//! mistake reported with the file and line.

use serde::de::DeserializeOwned;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for FileError {}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

pub fn error_at(file: &str, text: &str, offset: usize, message: impl Into<String>) -> FileError {
    FileError {
        file: file.into(),
        line: line_of(text, offset),
        message: message.into(),
    }
}

/// Parses TOML into `T`; syntax errors and unknown fields come back with their line.
pub fn parse_toml<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, FileError> {
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        error_at(file, text, offset, e.message().trim().to_string())
    })
}
