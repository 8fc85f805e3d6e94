//! The media library's files, kept in a directory by content: `<root>/ab/cdef…` where
//! `abcdef…` is the hex SHA-256 of the bytes, and the image's thumbnail beside it as
//! `<digest>.thumb.jpg`. Files never change once written (a new content is a new name), so
//! writing is idempotent and any number of processes can share the directory.
//!
//! Several web processes on one PostgreSQL must see the same directory (shared storage).

use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct MediaFiles {
    root: PathBuf,
}

fn checked(sha256: &str) -> io::Result<&str> {
    if sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Ok(sha256)
    } else {
        Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{sha256:?} is not a lower-case hex SHA-256")))
    }
}

impl MediaFiles {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        MediaFiles { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the original of `sha256` is (or would be).
    pub fn original_path(&self, sha256: &str) -> io::Result<PathBuf> {
        let sha = checked(sha256)?;
        Ok(self.root.join(&sha[..2]).join(&sha[2..]))
    }

    pub fn thumbnail_path(&self, sha256: &str) -> io::Result<PathBuf> {
        let sha = checked(sha256)?;
        Ok(self.root.join(&sha[..2]).join(format!("{}.thumb.jpg", &sha[2..])))
    }

    /// Stores the original and, for images, its thumbnail; what is already there is kept.
    pub async fn put(&self, sha256: &str, bytes: &[u8], thumbnail: Option<&[u8]>) -> io::Result<()> {
        write_once(&self.original_path(sha256)?, bytes).await?;
        if let Some(thumb) = thumbnail {
            write_once(&self.thumbnail_path(sha256)?, thumb).await?;
        }
        Ok(())
    }

    pub async fn has(&self, sha256: &str) -> io::Result<bool> {
        tokio::fs::try_exists(self.original_path(sha256)?).await
    }

    /// Removes the original and thumbnail; missing files are not an error.
    pub async fn remove(&self, sha256: &str) -> io::Result<()> {
        for path in [self.original_path(sha256)?, self.thumbnail_path(sha256)?] {
            match tokio::fs::remove_file(&path).await {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }
}

/// Writes `bytes` to `path` unless it exists: into a temporary file of the same directory,
/// flushed to disk, then renamed, so a reader never sees half a file, even after a crash.
async fn write_once(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if tokio::fs::try_exists(path).await? {
        return Ok(());
    }
    let (path, bytes) = (path.to_path_buf(), bytes.to_vec());
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let dir = path.parent().expect("media paths have a parent");
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".tmp-{}", uuid::Uuid::new_v4().simple()));
        let written = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    })
    .await
    .map_err(io::Error::other)?
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[tokio::test]
    async fn files_are_stored_by_digest_once_and_removed_with_their_thumbnail() {
        let dir = tempfile::tempdir().unwrap();
        let files = MediaFiles::new(dir.path().join("media"));
        files.put(SHA, b"abc", Some(b"thumb")).await.unwrap();
        let original = dir.path().join("media/ba").join(&SHA[2..]);
        assert_eq!(files.original_path(SHA).unwrap(), original);
        assert_eq!(std::fs::read(&original).unwrap(), b"abc");
        assert_eq!(std::fs::read(files.thumbnail_path(SHA).unwrap()).unwrap(), b"thumb");
        // Same digest, same content: a second write leaves the file alone.
        files.put(SHA, b"abc", None).await.unwrap();
        assert!(files.has(SHA).await.unwrap());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("media/ba")).unwrap().collect();
        assert_eq!(leftovers.len(), 2, "no temporary file is left behind");
        files.remove(SHA).await.unwrap();
        assert!(!files.has(SHA).await.unwrap());
        assert!(!files.thumbnail_path(SHA).unwrap().exists());
        files.remove(SHA).await.unwrap();
    }

    #[test]
    fn a_name_that_is_not_a_digest_is_refused() {
        let files = MediaFiles::new("/data/media");
        assert!(files.original_path("../../etc/passwd").is_err());
        assert!(files.original_path(&SHA.to_uppercase()).is_err());
    }
}
