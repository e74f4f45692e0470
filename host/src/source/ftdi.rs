//! FTDI D2XX access. D2XX is proprietary, so it is never linked: `libftd2xx.so` is loaded at run time
//! and a machine without it gets one clear message instead of a build or start-up failure.

use super::Link;
use libloading::{Library, Symbol};
use std::ffi::{c_char, c_void, CString};
use std::io;

type Handle = *mut c_void;
type Status = u32;
const FT_OK: Status = 0;
const FT_OPEN_BY_SERIAL_NUMBER: u32 = 1;
const FT_BITS_8: u8 = 8;
const FT_STOP_BITS_1: u8 = 0;
const FT_PARITY_NONE: u8 = 0;

type OpenEx = unsafe extern "C" fn(*mut c_void, u32, *mut Handle) -> Status;
type SetBaud = unsafe extern "C" fn(Handle, u32) -> Status;
type SetChars = unsafe extern "C" fn(Handle, u8, u8, u8) -> Status;
type SetTimeouts = unsafe extern "C" fn(Handle, u32, u32) -> Status;
type ReadFn = unsafe extern "C" fn(Handle, *mut c_void, u32, *mut u32) -> Status;
type WriteFn = unsafe extern "C" fn(Handle, *const c_void, u32, *mut u32) -> Status;
type CloseFn = unsafe extern "C" fn(Handle) -> Status;

pub const LIBRARY: &str = "libftd2xx.so";

pub struct FtdiLink {
    lib: Library,
    handle: Handle,
}

// The D2XX handle is used by one thread at a time (the source's ingest thread).
unsafe impl Send for FtdiLink {}

fn sym<'l, T>(lib: &'l Library, name: &str) -> Result<Symbol<'l, T>, String> {
    unsafe { lib.get(name.as_bytes()) }
        .map_err(|e| format!("{LIBRARY} has no {name} ({e}): is it FTDI's D2XX library?"))
}

fn check(what: &str, serial: &str, status: Status) -> Result<(), String> {
    if status == FT_OK {
        Ok(())
    } else {
        Err(format!("FTDI device {serial}: {what} failed with FT_STATUS {status}"))
    }
}

pub fn open(serial: &str, baud: u32) -> Result<FtdiLink, String> {
    let lib = unsafe { Library::new(LIBRARY) }.map_err(|e| {
        format!(
            "ftdi:{serial} needs FTDI's proprietary D2XX library {LIBRARY}, which could not be loaded ({e}); \
             install it from FTDI or use serial:/dev/ttyUSBn with the kernel's ftdi_sio driver"
        )
    })?;
    let c_serial =
        CString::new(serial).map_err(|_| format!("FTDI serial `{serial}` contains a NUL byte"))?;
    let mut handle: Handle = std::ptr::null_mut();
    unsafe {
        let open_ex: Symbol<OpenEx> = sym(&lib, "FT_OpenEx")?;
        check(
            "FT_OpenEx (no device with that serial number?)",
            serial,
            open_ex(
                c_serial.as_ptr() as *mut c_char as *mut c_void,
                FT_OPEN_BY_SERIAL_NUMBER,
                &mut handle,
            ),
        )?;
        let link = FtdiLink { lib, handle };
        let set_baud: Symbol<SetBaud> = sym(&link.lib, "FT_SetBaudRate")?;
        check("FT_SetBaudRate", serial, set_baud(handle, baud))?;
        let set_chars: Symbol<SetChars> = sym(&link.lib, "FT_SetDataCharacteristics")?;
        check(
            "FT_SetDataCharacteristics",
            serial,
            set_chars(handle, FT_BITS_8, FT_STOP_BITS_1, FT_PARITY_NONE),
        )?;
        let set_timeouts: Symbol<SetTimeouts> = sym(&link.lib, "FT_SetTimeouts")?;
        check("FT_SetTimeouts", serial, set_timeouts(handle, 50, 1000))?;
        Ok(link)
    }
}

fn io_err(what: &str, status: Status) -> io::Error {
    io::Error::other(format!("{what} failed with FT_STATUS {status}"))
}

impl Link for FtdiLink {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut got = 0u32;
        let status = unsafe {
            let read: Symbol<ReadFn> = sym(&self.lib, "FT_Read").map_err(io::Error::other)?;
            read(self.handle, buf.as_mut_ptr() as *mut c_void, buf.len() as u32, &mut got)
        };
        if status != FT_OK {
            return Err(io_err("FT_Read", status));
        }
        Ok(got as usize)
    }

    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut put = 0u32;
        let status = unsafe {
            let write: Symbol<WriteFn> = sym(&self.lib, "FT_Write").map_err(io::Error::other)?;
            write(self.handle, bytes.as_ptr() as *const c_void, bytes.len() as u32, &mut put)
        };
        if status != FT_OK || put as usize != bytes.len() {
            return Err(io_err("FT_Write", status));
        }
        Ok(())
    }
}

impl Drop for FtdiLink {
    fn drop(&mut self) {
        if let Ok(close) = sym::<CloseFn>(&self.lib, "FT_Close") {
            unsafe { close(self.handle) };
        }
    }
}
