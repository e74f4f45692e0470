//! One running instance of a Verilated module.

use crate::ffi::{Dir, ModuleDesc, PortInfo, MODULES};
use crate::Error;
use std::ffi::{c_void, CString};
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;

/// A port of one particular module, from [`Model::port`]. Cheap to copy; look it up once and keep
/// it rather than passing names in a hot loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortId {
    index: u32,
    /// Address of the module's table row: catches a PortId used on another module's model.
    module: usize,
}

/// A Verilated model of one module (see the crate docs for the API walk-through).
pub struct Model {
    desc: &'static ModuleDesc,
    vt: &'static crate::ffi::VTable,
    raw: NonNull<c_void>,
    time: u64,
    vcd: Option<PathBuf>,
}

// SAFETY: the C++ instance is owned exclusively by this Model and has its own VerilatedContext;
// Verilator's generated code keeps no thread-affine state for single-threaded models, so moving
// it between threads (never sharing it) is sound.
unsafe impl Send for Model {}

impl Model {
    /// Opens module `module` (file stem, e.g. `speckle_core`) of `profile` (`ice40`, `ecp5`, or
    /// `fixture` for rtl-sim's own test fixtures).
    pub fn new(profile: &str, module: &str) -> Result<Model, Error> {
        if !crate::available() {
            return Err(Error::Unavailable(crate::unavailable_reason().unwrap_or("").to_string()));
        }
        let desc = MODULES
            .iter()
            .find(|m| m.profile == profile && m.name == module)
            .ok_or_else(|| Error::UnknownModule(unknown_module(profile, module)))?;
        let vt = desc.vtable.ok_or_else(|| {
            Error::BuildFailed(format!(
                "{profile}/{module} was found but could not be built: {}",
                desc.error.unwrap_or("unknown error")
            ))
        })?;
        let vcd_dir = std::env::var_os("SPECKLE_VCD").map(PathBuf::from);
        // SAFETY: `new` returns a fresh, owned instance (it aborts rather than return null).
        let raw = unsafe { (vt.new)(vcd_dir.is_some() as i32) };
        let raw = NonNull::new(raw).expect("Verilated model allocation returned null");
        let mut model = Model { desc, vt, raw, time: 0, vcd: None };
        if let Some(dir) = vcd_dir {
            model.open_trace(&dir)?;
        }
        Ok(model)
    }

    fn open_trace(&mut self, dir: &Path) -> Result<(), Error> {
        let err = |e: &dyn std::fmt::Display| {
            Error::Trace(format!("SPECKLE_VCD={}: cannot create a trace there: {e}", dir.display()))
        };
        std::fs::create_dir_all(dir).map_err(|e| err(&e))?;
        // Claim the first free number atomically, so parallel tests and processes never share a file.
        let path = (0u32..)
            .map(|n| dir.join(format!("{}-{}-{n}.vcd", self.desc.name, self.desc.profile)))
            .find(|p| OpenOptions::new().write(true).create_new(true).open(p).is_ok())
            .expect("some trace number is free");
        let c_path = CString::new(path.to_string_lossy().as_bytes()).map_err(|e| err(&e))?;
        // SAFETY: raw is live; c_path outlives the call.
        if unsafe { (self.vt.trace_open)(self.raw.as_ptr(), c_path.as_ptr()) } == 0 {
            return Err(err(&"Verilator could not open the file"));
        }
        self.vcd = Some(path);
        Ok(())
    }

    pub fn profile(&self) -> &'static str {
        self.desc.profile
    }

    pub fn module(&self) -> &'static str {
        self.desc.name
    }

    pub fn ports(&self) -> &'static [PortInfo] {
        self.desc.ports
    }

    /// The VCD this model writes, when SPECKLE_VCD is set.
    pub fn vcd_path(&self) -> Option<&Path> {
        self.vcd.as_deref()
    }

    /// Simulation time: one unit per [`eval`](Self::eval).
    pub fn time(&self) -> u64 {
        self.time
    }

    pub fn port(&self, name: &str) -> Result<PortId, Error> {
        let index = self.desc.ports.iter().position(|p| p.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.desc.ports.iter().map(|p| p.name).collect();
            Error::UnknownPort(format!(
                "{}/{} has no port `{name}`; its ports are: {}",
                self.desc.profile,
                self.desc.name,
                names.join(", ")
            ))
        })?;
        Ok(PortId { index: index as u32, module: self.desc as *const ModuleDesc as usize })
    }

    pub fn width(&self, p: PortId) -> u32 {
        self.info(p).width
    }

    fn info(&self, p: PortId) -> &'static PortInfo {
        assert_eq!(
            p.module, self.desc as *const ModuleDesc as usize,
            "PortId used on a model of a different module ({})",
            self.desc.name
        );
        &self.desc.ports[p.index as usize]
    }

    fn input(&self, p: PortId) -> &'static PortInfo {
        let info = self.info(p);
        assert!(
            info.dir == Dir::Input,
            "{}: port `{}` is an output and cannot be set",
            self.desc.name,
            info.name
        );
        info
    }

    /// Drives an input port of at most 64 bits.
    pub fn set(&mut self, p: PortId, value: u64) {
        let info = self.input(p);
        assert!(
            info.width >= 64 || value >> info.width == 0,
            "{}: value {value:#x} does not fit the {}-bit port `{}`",
            self.desc.name,
            info.width,
            info.name
        );
        assert!(
            info.width <= 64,
            "{}: port `{}` is {} bits wide: use set_wide",
            self.desc.name,
            info.name,
            info.width
        );
        let words = [value as u32, (value >> 32) as u32];
        // SAFETY: raw is live; the shim reads at most 2 words for ports of <= 64 bits.
        unsafe { (self.vt.set)(self.raw.as_ptr(), p.index, words.as_ptr()) }
    }

    /// Reads a port (input or output) of at most 64 bits.
    pub fn get(&self, p: PortId) -> u64 {
        let info = self.info(p);
        assert!(
            info.width <= 64,
            "{}: port `{}` is {} bits wide: use get_wide",
            self.desc.name,
            info.name,
            info.width
        );
        let mut words = [0u32; 2];
        // SAFETY: raw is live; the shim writes at most 2 words for ports of <= 64 bits.
        unsafe { (self.vt.get)(self.raw.as_ptr(), p.index, words.as_mut_ptr()) };
        words[0] as u64 | (words[1] as u64) << 32
    }

    /// Drives an input port of any width from u32 words, least significant first. Missing words
    /// are zero; bits beyond the port's width must be zero.
    pub fn set_wide(&mut self, p: PortId, words: &[u32]) {
        let info = self.input(p);
        let n = info.width.div_ceil(32) as usize;
        let mut buf = vec![0u32; n.max(2)];
        for (i, w) in words.iter().enumerate() {
            let bits_here = info.width.saturating_sub(32 * i as u32).min(32);
            assert!(
                bits_here == 32 || (*w as u64) >> bits_here == 0,
                "{}: word {i} = {w:#x} has bits beyond the {}-bit port `{}`",
                self.desc.name,
                info.width,
                info.name
            );
            if i < n {
                buf[i] = *w;
            }
        }
        // SAFETY: raw is live; buf holds at least as many words as the port has.
        unsafe { (self.vt.set)(self.raw.as_ptr(), p.index, buf.as_ptr()) }
    }

    /// Reads a port of any width as ceil(width/32) u32 words, least significant first.
    pub fn get_wide(&self, p: PortId) -> Vec<u32> {
        let n = self.info(p).width.div_ceil(32) as usize;
        let mut buf = vec![0u32; n.max(2)];
        // SAFETY: raw is live; buf holds at least as many words as the port has.
        unsafe { (self.vt.get)(self.raw.as_ptr(), p.index, buf.as_mut_ptr()) };
        buf.truncate(n);
        buf
    }

    /// [`get_wide`](Self::get_wide) into a caller's buffer, for a wide port read every clock (a
    /// simulated board watching a bus) where an allocation per read would cost more than the read.
    /// `buf` must hold at least max(2, ceil(width/32)) words; the words beyond the port are zeroed.
    pub fn get_wide_into(&self, p: PortId, buf: &mut [u32]) {
        let n = self.info(p).width.div_ceil(32) as usize;
        assert!(
            buf.len() >= n.max(2),
            "{}: get_wide_into needs {} words, got {}",
            self.desc.name,
            n.max(2),
            buf.len()
        );
        buf.fill(0);
        // SAFETY: raw is live; buf holds at least as many words as the port has.
        unsafe { (self.vt.get)(self.raw.as_ptr(), p.index, buf.as_mut_ptr()) };
    }

    /// Settles the combinational logic (and clocked logic on a clock edge) after inputs changed.
    pub fn eval(&mut self) {
        // SAFETY: raw is live.
        unsafe { (self.vt.eval)(self.raw.as_ptr(), self.time) };
        self.time += 1;
    }

    /// One full clock cycle on `clock`: low, eval, high, eval. Outputs read afterwards show the
    /// state just after the rising edge.
    pub fn tick(&mut self, clock: PortId) {
        self.set(clock, 0);
        self.eval();
        self.set(clock, 1);
        self.eval();
    }

    /// Runs Verilog `final` blocks and closes the trace; done by Drop if not called.
    pub fn finish(&mut self) {
        // SAFETY: raw is live; final is idempotent in the shim.
        unsafe { (self.vt.final_)(self.raw.as_ptr()) }
    }

    /// Writes buffered trace data out, e.g. before inspecting the VCD of a live model.
    pub fn flush_trace(&mut self) {
        // SAFETY: raw is live.
        unsafe { (self.vt.trace_flush)(self.raw.as_ptr()) }
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: raw is live and owned; it is not used after this.
        unsafe { (self.vt.free)(self.raw.as_ptr()) }
    }
}

fn unknown_module(profile: &str, module: &str) -> String {
    let valid: Vec<String> =
        crate::modules().iter().map(|m| format!("{}/{}", m.profile, m.name)).collect();
    format!(
        "no module `{module}` for profile `{profile}`; valid profile/module pairs are: {}",
        if valid.is_empty() { "(none: run `make rtl`)".to_string() } else { valid.join(", ") }
    )
}
