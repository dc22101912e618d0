//! Store errors.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database was written by a newer Skyport; it is left untouched.
    #[error(
        "the database was created by a newer version of Skyport (schema {found}, this version knows up to {supported}); update Skyport"
    )]
    NewerSchema {
        /// The schema version found.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// SQLite failed (I/O, corruption, lock timeout).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A row holds a value this build cannot read.
    #[error("database row is invalid: {0}")]
    Invalid(String),
    /// The system random source failed.
    #[error("the system random number generator failed")]
    Random,
}
