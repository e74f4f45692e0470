//! STATUS payload (type 0x03, 48 bytes).

use super::frame::{FrameType, PayloadError};

pub const STATUS_LEN: usize = 48;
pub const STATUS_VERSION: u8 = 1;

/// Latched alarm bits of STATUS byte 3.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Alarms(pub u8);

impl Alarms {
    pub const RCT: u8 = 1 << 0;
    pub const APT: u8 = 1 << 1;
    pub const MARKOV: u8 = 1 << 2;
    pub const LOS: u8 = 1 << 3;
    pub const EXTERNAL: u8 = 1 << 4;
    const NAMES: [(u8, &'static str); 5] = [
        (Self::RCT, "RCT"),
        (Self::APT, "APT"),
        (Self::MARKOV, "Markov"),
        (Self::LOS, "LOS"),
        (Self::EXTERNAL, "interlock"),
    ];

    pub fn any(self) -> bool {
        self.0 != 0
    }
    pub fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
    /// Names of the latched alarms, for logs and the TUI.
    pub fn names(self) -> Vec<&'static str> {
        Self::NAMES.iter().filter(|(b, _)| self.has(*b)).map(|(_, n)| *n).collect()
    }
}

/// State bits of STATUS byte 2.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StateBits(pub u8);

impl StateBits {
    pub const STARTUP_DONE: u8 = 1 << 0;
    pub const GATE_OPEN: u8 = 1 << 1;
    pub const VN_ENABLED: u8 = 1 << 2;
    pub const LOS_LEVEL: u8 = 1 << 3;
    /// The core samples RD on both clock edges (`ddr`): two raw samples per `oversample` clocks.
    pub const DDR: u8 = 1 << 4;

    pub fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

/// Every field of the STATUS payload, in wire order (docs/protocol.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Status {
    pub version: u8,
    /// 0 conditioned, 1 raw.
    pub mode: u8,
    pub state: StateBits,
    pub alarms: Alarms,
    pub samples: u32,
    pub blocks: u32,
    pub dropped: u32,
    pub rct_failures: u16,
    pub apt_failures: u16,
    pub markov_failures: u16,
    pub rct_max_run: u16,
    pub apt_max_count: u16,
    /// 0xFFFF when no Markov window completed since the previous STATUS.
    pub markov_min: u16,
    pub markov_max: u16,
    pub rct_cutoff: u16,
    pub apt_cutoff: u16,
    pub markov_lo: u16,
    pub markov_hi: u16,
    pub window: u16,
    pub n_in: u16,
    pub fold_k: u8,
    pub oversample: u8,
    pub h_milli: u16,
    pub alpha_log2: u8,
    pub reserved: u8,
}

impl Status {
    /// A healthy board's STATUS claiming `p`: startup passed, gate open, VN as `p` says, and the
    /// claim fields (cutoffs, W, n_in, k, oversample, H, α) from `p`; counters zero. What host
    /// tests, board doubles and benchmarks send where a real board's counters do not matter.
    pub fn claiming(p: &crate::params::CoreParams) -> Self {
        let c = p.cutoffs();
        let vn = if p.vn_enable { StateBits::VN_ENABLED } else { 0 };
        let ddr = if p.ddr { StateBits::DDR } else { 0 };
        Status {
            version: STATUS_VERSION,
            state: StateBits(StateBits::STARTUP_DONE | StateBits::GATE_OPEN | vn | ddr),
            rct_cutoff: c.rct as u16,
            apt_cutoff: c.apt as u16,
            markov_lo: c.markov_lo as u16,
            markov_hi: c.markov_hi as u16,
            window: p.window as u16,
            n_in: p.n_in as u16,
            fold_k: p.fold_k as u8,
            oversample: p.oversample as u8,
            h_milli: p.h_milli(),
            alpha_log2: p.alpha_log2 as u8,
            ..Default::default()
        }
    }

    pub fn parse(p: &[u8]) -> Result<Self, PayloadError> {
        if p.len() != STATUS_LEN {
            return Err(PayloadError::length(FrameType::Status, STATUS_LEN, p.len()));
        }
        if p[0] != STATUS_VERSION {
            return Err(PayloadError {
                ftype: FrameType::Status,
                message: format!(
                    "STATUS version {}, this host understands version {STATUS_VERSION}",
                    p[0]
                ),
            });
        }
        let u16at = |o: usize| u16::from_le_bytes([p[o], p[o + 1]]);
        let u32at = |o: usize| u32::from_le_bytes(p[o..o + 4].try_into().unwrap());
        Ok(Status {
            version: p[0],
            mode: p[1],
            state: StateBits(p[2]),
            alarms: Alarms(p[3]),
            samples: u32at(4),
            blocks: u32at(8),
            dropped: u32at(12),
            rct_failures: u16at(16),
            apt_failures: u16at(18),
            markov_failures: u16at(20),
            rct_max_run: u16at(22),
            apt_max_count: u16at(24),
            markov_min: u16at(26),
            markov_max: u16at(28),
            rct_cutoff: u16at(30),
            apt_cutoff: u16at(32),
            markov_lo: u16at(34),
            markov_hi: u16at(36),
            window: u16at(38),
            n_in: u16at(40),
            fold_k: p[42],
            oversample: p[43],
            h_milli: u16at(44),
            alpha_log2: p[46],
            reserved: p[47],
        })
    }

    pub fn serialize(&self) -> [u8; STATUS_LEN] {
        let mut p = [0u8; STATUS_LEN];
        p[0] = self.version;
        p[1] = self.mode;
        p[2] = self.state.0;
        p[3] = self.alarms.0;
        let mut put = |o: usize, b: &[u8]| p[o..o + b.len()].copy_from_slice(b);
        put(4, &self.samples.to_le_bytes());
        put(8, &self.blocks.to_le_bytes());
        put(12, &self.dropped.to_le_bytes());
        for (o, v) in [
            (16, self.rct_failures),
            (18, self.apt_failures),
            (20, self.markov_failures),
            (22, self.rct_max_run),
            (24, self.apt_max_count),
            (26, self.markov_min),
            (28, self.markov_max),
            (30, self.rct_cutoff),
            (32, self.apt_cutoff),
            (34, self.markov_lo),
            (36, self.markov_hi),
            (38, self.window),
            (40, self.n_in),
            (44, self.h_milli),
        ] {
            put(o, &v.to_le_bytes());
        }
        p[42] = self.fold_k;
        p[43] = self.oversample;
        p[46] = self.alpha_log2;
        p[47] = self.reserved;
        p
    }

    /// Claimed min-entropy per raw sample.
    pub fn h_claim(&self) -> f64 {
        self.h_milli as f64 / 1000.0
    }
}
