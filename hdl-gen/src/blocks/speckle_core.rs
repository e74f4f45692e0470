//! `speckle_core`: the whole conditioner, wired as in docs/core.md.
//!
//! Health tests see every raw sample straight from the sampler; the data itself waits in the
//! holdback until 2W + 16 newer samples were tested, then goes through von Neumann, the XOR fold and
//! SHA3-256 to the framer. `hold` (gate closed or raw mode) keeps the data path empty: the holdback
//! is flushed, VN / fold are reset and the conditioner's partial block is aborted every clock, so
//! nothing tested under an alarm, during the startup test or in raw mode can ever reach a digest,
//! and after the gate opens the first digest is built only from samples taken after it opened.
//! A block completed before an alarm still goes out: its samples all left the holdback, so they
//! are older than the fault by more than the tests' detection bound (docs/theory.md). Digests wait
//! in `digest_buffer` until `blocks_per_frame` of them fill one CONDITIONED frame.
//!
//! Around that: periodic and requested STATUS frames (a snapshot of counters and statistics, the
//! statistics restarting with each snapshot), raw mode (256 consecutive samples per RAW frame), the
//! command path (uart_rx → cmd_parser: mode, clear alarms, status request, ACK) and the LEDs.

mod ddr;
mod helpers;

use super::adaptp_ht::AdaptpHt;
use super::cmd_parser::CmdParser;
use super::digest_buffer::DigestBuffer;
use super::framer::Framer;
use super::holdback::{address_bits, Holdback};
use super::markov_ht::MarkovHt;
use super::output_gate::OutputGate;
use super::repcnt_ht::RepcntHt;
use super::sampler::Sampler;
use super::sha3_conditioner::Sha3Conditioner;
use super::uart_rx::UartRx;
use super::uart_tx::UartTx;
use super::vn_debias::VnDebias;
use super::xor_fold::XorFold;
use helpers::FrameStore;
use rust_hdl::prelude::*;
use speckle_model::params::CoreParams;

/// The core for holdback buffers of 2^A samples (A from [`address_bits`] of `2W + 16`).
#[derive(LogicBlock)]
pub struct SpeckleCore<const A: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub rd: Signal<In, Bit>,
    pub los: Signal<In, Bit>,
    pub ext_alarm: Signal<In, Bit>,
    pub sfp_diag: Signal<In, Bits<416>>,
    pub sfp_diag_en: Signal<In, Bit>,
    pub uart_rx: Signal<In, Bit>,
    pub uart_tx: Signal<Out, Bit>,
    pub alarm: Signal<Out, Bit>,
    pub gate_open: Signal<Out, Bit>,
    pub startup_done: Signal<Out, Bit>,
    pub activity: Signal<Out, Bit>,
    sampler: Sampler,
    rct: RepcntHt,
    apt: AdaptpHt,
    markov: MarkovHt,
    gate: OutputGate,
    holdback: Holdback<A>,
    vn: VnDebias,
    fold: XorFold,
    cond: Sha3Conditioner,
    dbuf: DigestBuffer,
    framer: Framer,
    tx: UartTx,
    rx: UartRx,
    parser: CmdParser,
    store: FrameStore,
    samples: DFF<Bits<32>>,
    blocks: DFF<Bits<32>>,
    dropped: DFF<Bits<32>>,
    period: DFF<Bits<40>>,
    status_pending: DFF<Bit>,
    activity_q: DFF<Bit>,
    hold: Signal<Local, Bit>,
    data_reset: Signal<Local, Bit>,
    period_last: Constant<Bits<40>>,
    zero4: Constant<Bits<4>>,
    blocks_per_frame: Constant<Bits<32>>,
}

impl<const A: usize> SpeckleCore<A> {
    /// Panics with the reason when `p` is invalid or its holdback does not need A address bits.
    pub fn new(p: &CoreParams) -> Self {
        if let Err(e) = p.validate() {
            panic!("speckle_core: {e}");
        }
        assert_eq!(
            address_bits(p.holdback()),
            A,
            "the holdback for these parameters needs {} address bits",
            address_bits(p.holdback())
        );
        let c = p.cutoffs();
        SpeckleCore {
            clock: Default::default(),
            reset: Default::default(),
            rd: Default::default(),
            los: Default::default(),
            ext_alarm: Default::default(),
            sfp_diag: Default::default(),
            sfp_diag_en: Default::default(),
            uart_rx: Default::default(),
            uart_tx: Default::default(),
            alarm: Default::default(),
            gate_open: Default::default(),
            startup_done: Default::default(),
            activity: Default::default(),
            sampler: Sampler::new(p.oversample),
            rct: RepcntHt::new(c.rct),
            apt: AdaptpHt::new(p.window, c.apt),
            markov: MarkovHt::new(p.window, c.markov_lo, c.markov_hi),
            gate: OutputGate::default(),
            holdback: Holdback::new(p.holdback()),
            vn: VnDebias::new(!p.vn_enable),
            fold: XorFold::new(p.fold_k),
            cond: Sha3Conditioner::new("speckle_core_cond", p.keccak, p.n_in),
            dbuf: DigestBuffer::new(p),
            framer: Framer::new(p),
            tx: UartTx::new(p.baud_divisor()),
            rx: UartRx::new(p.baud_divisor()),
            parser: CmdParser::default(),
            store: FrameStore::new(p),
            samples: Default::default(),
            blocks: Default::default(),
            dropped: Default::default(),
            period: Default::default(),
            status_pending: Default::default(),
            activity_q: Default::default(),
            hold: Default::default(),
            data_reset: Default::default(),
            period_last: Constant::new(((1u64 << p.status_period_log2) - 1).to_bits()),
            zero4: Constant::new(0u64.to_bits()),
            blocks_per_frame: Constant::new((p.blocks_per_frame as u64).to_bits()),
        }
    }
}

impl<const A: usize> Logic for SpeckleCore<A> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(
            self, clock, sampler, rct, apt, markov, gate, holdback, vn, fold, cond, dbuf, framer,
            tx, rx, parser, store
        );
        dff_setup!(self, clock, samples, blocks, dropped, period, status_pending, activity_q);
        // Reset fans out to every block.
        self.sampler.reset.next = self.reset.val();
        self.rct.reset.next = self.reset.val();
        self.apt.reset.next = self.reset.val();
        self.markov.reset.next = self.reset.val();
        self.gate.reset.next = self.reset.val();
        self.holdback.reset.next = self.reset.val();
        self.cond.reset.next = self.reset.val();
        self.dbuf.reset.next = self.reset.val();
        self.framer.reset.next = self.reset.val();
        self.tx.reset.next = self.reset.val();
        self.rx.reset.next = self.reset.val();
        self.parser.reset.next = self.reset.val();
        self.store.reset.next = self.reset.val();

        // Sampling and health tests.
        self.sampler.rd.next = self.rd.val();
        self.rct.sample.next = self.sampler.sample.val();
        self.rct.sample_valid.next = self.sampler.sample_valid.val();
        self.rct.clear.next = self.parser.clear_alarms.val();
        self.apt.sample.next = self.sampler.sample.val();
        self.apt.sample_valid.next = self.sampler.sample_valid.val();
        self.apt.clear.next = self.parser.clear_alarms.val();
        self.markov.sample.next = self.sampler.sample.val();
        self.markov.sample_valid.next = self.sampler.sample_valid.val();
        self.markov.clear.next = self.parser.clear_alarms.val();
        self.gate.rct_fail.next = self.rct.fail.val();
        self.gate.apt_fail.next = self.apt.fail.val();
        self.gate.markov_fail.next = self.markov.fail.val();
        self.gate.los.next = self.los.val();
        self.gate.ext_alarm.next = self.ext_alarm.val();
        self.gate.clear_alarms.next = self.parser.clear_alarms.val();
        self.gate.sample_valid.next = self.sampler.sample_valid.val();

        // Conditioned data path, kept empty while the gate is closed or raw mode is on.
        self.hold.next = !self.gate.gate_open.val() | self.parser.mode.val();
        self.data_reset.next = self.reset.val() | self.gate.flush.val() | self.hold.val();
        self.holdback.in_bit.next = self.sampler.sample.val();
        self.holdback.in_valid.next = self.sampler.sample_valid.val();
        self.holdback.flush.next = self.gate.flush.val() | self.hold.val();
        self.holdback.out_ready.next = self.vn.in_ready.val();
        self.vn.reset.next = self.data_reset.val();
        self.vn.in_bit.next = self.holdback.out_bit.val();
        self.vn.in_valid.next = self.holdback.out_valid.val();
        self.vn.out_ready.next = self.fold.in_ready.val();
        self.fold.reset.next = self.data_reset.val();
        self.fold.in_bit.next = self.vn.out_bit.val();
        self.fold.in_valid.next = self.vn.out_valid.val();
        self.fold.out_ready.next = self.cond.in_ready.val();
        self.cond.in_bit.next = self.fold.out_bit.val();
        self.cond.in_valid.next = self.fold.out_valid.val();
        self.cond.abort.next = self.gate.flush.val() | self.hold.val();
        self.dbuf.digest.next = self.cond.digest.val();
        self.dbuf.digest_valid.next = self.cond.digest_valid.val();
        self.cond.digest_ready.next = self.dbuf.digest_ready.val();
        self.framer.cond_byte.next = self.dbuf.out_byte.val();
        self.framer.cond_valid.next = self.dbuf.frame_valid.val();
        self.dbuf.pop.next = self.framer.cond_pop.val();

        // Raw mode (the frame store shares its register with STATUS snapshots).
        self.store.raw_enable.next = self.parser.mode.val();
        self.store.sample.next = self.sampler.sample.val();
        self.store.sample_valid.next = self.sampler.sample_valid.val();
        self.framer.raw_block.next = self.store.raw_block.val();
        self.framer.raw_valid.next = self.store.raw_valid.val();
        self.store.raw_ready.next = self.framer.raw_ready.val();

        // Commands and acknowledgements.
        self.rx.rx.next = self.uart_rx.val();
        self.parser.in_byte.next = self.rx.data.val();
        self.parser.in_valid.next = self.rx.valid.val();
        self.framer.ack_type.next = self.parser.ack_type.val();
        self.framer.ack_seq.next = self.parser.ack_seq.val();
        self.framer.ack_result.next = self.parser.ack_result.val();
        self.framer.ack_valid.next = self.parser.ack_valid.val();
        self.parser.ack_ready.next = self.framer.ack_ready.val();

        // Counters for STATUS.
        if self.sampler.sample_valid.val() {
            self.samples.d.next = self.samples.q.val() + 1;
        }
        if self.framer.cond_sent.val() {
            self.blocks.d.next = self.blocks.q.val() + self.blocks_per_frame.val();
        }
        if self.holdback.dropped.val() {
            self.dropped.d.next = self.dropped.q.val() + 1;
        }

        // STATUS: every 2^status_period_log2 clocks and on request; one snapshot per frame.
        // Free-running: only the low status_period_log2 bits feed anything, so synthesis drops the rest.
        self.period.d.next = self.period.q.val() + 1;
        if (self.period.q.val() & self.period_last.val()) == self.period_last.val() {
            self.status_pending.d.next = true;
        }
        if self.parser.request_status.val() {
            self.status_pending.d.next = true;
        }
        self.store.status_request.next = self.status_pending.q.val();
        if self.store.load.val() {
            self.status_pending.d.next = false;
        }
        self.rct.stats_clear.next = self.store.load.val();
        self.apt.stats_clear.next = self.store.load.val();
        self.markov.stats_clear.next = self.store.load.val();
        self.store.mode.next = self.parser.mode.val();
        self.store.state.next = self
            .zero4
            .val()
            .replace_bit(0, self.gate.startup_done.val())
            .replace_bit(1, self.gate.gate_open.val())
            .replace_bit(3, self.gate.los_level.val());
        self.store.alarms.next = self.gate.alarms.val();
        self.store.samples.next = self.samples.q.val();
        self.store.blocks.next = self.blocks.q.val();
        self.store.dropped.next = self.dropped.q.val();
        self.store.rct_failures.next = self.gate.rct_failures.val();
        self.store.apt_failures.next = self.gate.apt_failures.val();
        self.store.markov_failures.next = self.gate.markov_failures.val();
        self.store.rct_max_run.next = self.rct.max_run.val();
        self.store.apt_max_count.next = self.apt.max_count.val();
        self.store.markov_min.next = self.markov.min_transitions.val();
        self.store.markov_max.next = self.markov.max_transitions.val();
        self.framer.status_payload.next = self.store.status_payload.val();
        self.framer.status_valid.next = self.store.status_valid.val();
        self.store.status_ready.next = self.framer.status_ready.val();
        self.framer.sfp_payload.next = self.sfp_diag.val();
        self.framer.sfp_en.next = self.sfp_diag_en.val();

        // UART out and the pins.
        self.tx.data.next = self.framer.out_byte.val();
        self.tx.valid.next = self.framer.out_valid.val();
        self.framer.out_ready.next = self.tx.ready.val();
        self.uart_tx.next = self.tx.tx.val();
        if self.framer.frame_sent.val() {
            self.activity_q.d.next = !self.activity_q.q.val();
        }
        if self.reset.val() {
            self.samples.d.next = 0.into();
            self.blocks.d.next = 0.into();
            self.dropped.d.next = 0.into();
            self.period.d.next = 0.into();
            self.status_pending.d.next = false;
        }
        self.alarm.next = self.gate.alarms.val().any();
        self.gate_open.next = self.gate.gate_open.val();
        self.startup_done.next = self.gate.startup_done.val();
        self.activity.next = self.activity_q.q.val();
    }
}

/// Verilog of `speckle_core` for these parameters (panics naming the problem if they are invalid).
pub fn generate(p: &CoreParams, profile: &str) -> String {
    if p.ddr {
        return ddr::generate(p, profile);
    }
    macro_rules! sized {
        ($($a:literal),*) => {
            match address_bits(p.holdback()) {
                $($a => crate::emit::emit("speckle_core", profile, SpeckleCore::<$a>::new(p)),)*
                other => panic!("speckle_core: a holdback of {} samples needs {other} address bits; supported 10..=19 (window <= 32768)", p.holdback()),
            }
        };
    }
    sized!(10, 11, 12, 13, 14, 15, 16, 17, 18, 19)
}
