//! The table of Verilated modules that build.rs generated, and the C ABI of each model's shim.

use std::ffi::c_void;
use std::os::raw::c_char;

/// Whether a port is driven by the test (input) or by the model (output).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Input,
    Output,
}

/// One port of a top module, as declared in the generated Verilog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortInfo {
    pub name: &'static str,
    pub dir: Dir,
    pub width: u32,
}

pub(crate) struct VTable {
    pub new: unsafe extern "C" fn(i32) -> *mut c_void,
    pub final_: unsafe extern "C" fn(*mut c_void),
    pub free: unsafe extern "C" fn(*mut c_void),
    pub eval: unsafe extern "C" fn(*mut c_void, u64),
    pub trace_open: unsafe extern "C" fn(*mut c_void, *const c_char) -> i32,
    pub trace_flush: unsafe extern "C" fn(*mut c_void),
    pub set: unsafe extern "C" fn(*mut c_void, u32, *const u32),
    pub get: unsafe extern "C" fn(*mut c_void, u32, *mut u32),
}

pub(crate) struct ModuleDesc {
    pub profile: &'static str,
    pub name: &'static str,
    pub source: &'static str,
    pub ports: &'static [PortInfo],
    /// None when the file could not be verilated or compiled; `error` says why.
    pub vtable: Option<&'static VTable>,
    pub error: Option<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/modules.rs"));
