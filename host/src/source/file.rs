//! Replay of a capture of raw UART bytes (what `cat /dev/ttyUSB0 > cap.bin` records).

use super::Link;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

pub struct FileLink {
    file: File,
}

pub fn open(path: &Path) -> Result<FileLink, String> {
    File::open(path)
        .map(|file| FileLink { file })
        .map_err(|e| format!("cannot read capture file {}: {e}", path.display()))
}

impl Link for FileLink {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.file.read(buf)? {
            0 => Err(io::Error::new(io::ErrorKind::UnexpectedEof, "end of capture file")),
            n => Ok(n),
        }
    }

    /// A capture cannot obey commands; they are dropped so that replays of raw-mode captures work.
    fn send(&mut self, _bytes: &[u8]) -> io::Result<()> {
        Ok(())
    }

    fn finite(&self) -> bool {
        true
    }
}
