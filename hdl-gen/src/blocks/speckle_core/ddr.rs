//! The pair form of `speckle_core` (`ddr`): the same core as [`super::SpeckleCore`] with two raw
//! samples per clock from the pin's DDR register up to the fold.
//!
//! Sampler, health tests, holdback and raw tap take a pair per clock (bit 0 first), and the fold's
//! first XOR is the pair's, so from the fold on the path is the single-lane one. The startup test
//! counts pairs, so it covers 2 × STARTUP_SAMPLES samples. It is its own struct because the pair
//! blocks' ports differ and the single-lane profiles' Verilog must not change.

use super::super::adaptp_ht::AdaptpHtPair;
use super::super::cmd_parser::CmdParser;
use super::super::digest_buffer::DigestBuffer;
use super::super::framer::Framer;
use super::super::holdback::{address_bits, HoldbackPair};
use super::super::markov_ht::MarkovHtPair;
use super::super::output_gate::OutputGate;
use super::super::repcnt_ht::RepcntHtPair;
use super::super::sampler::SamplerDdr;
use super::super::sha3_conditioner::Sha3Conditioner;
use super::super::uart_rx::UartRx;
use super::super::uart_tx::UartTx;
use super::super::xor_fold::XorFoldPair;
use super::helpers::FrameStorePair;
use rust_hdl::prelude::*;
use speckle_model::params::{CoreParams, MAX_DDR_FIFO_BITS};

/// Address bits of the FIFO's RAM: room for [`MAX_DDR_FIFO_BITS`]; `CoreParams::ddr_fifo_bits`
/// sets how much of it is used.
const FIFO_ADDRESS_BITS: usize = 10;

/// A bit FIFO in block RAM between fold and conditioner, emptied by `reset`. The holdback receives
/// a pair every clock and can hand over at most one, so unlike the single-lane core's it can never
/// catch up on a pause downstream: every clock the fold waited would stay in the holdback for
/// good, and its slack would fill until pairs drop. This FIFO takes the fold's output through the
/// conditioner's pause per block instead (`KeccakArch::pause_clocks`, sized by
/// `CoreParams::ddr_fifo_bits`). The RAM reads a clock late, so a bit written into the slot being
/// read becomes visible one clock after it lands.
#[derive(LogicBlock)]
pub struct BitFifo {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub in_bit: Signal<In, Bit>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub out_bit: Signal<Out, Bit>,
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    ram: RAM<Bit, FIFO_ADDRESS_BITS>,
    wr: DFF<Bits<FIFO_ADDRESS_BITS>>,
    rd: DFF<Bits<FIFO_ADDRESS_BITS>>,
    count: DFF<Bits<16>>,
    stale: DFF<Bit>,
    push: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    avail: Signal<Local, Bit>,
    rd_next: Signal<Local, Bits<FIFO_ADDRESS_BITS>>,
    capacity: Constant<Bits<16>>,
}

impl BitFifo {
    pub fn new(bits: u32) -> Self {
        assert!(
            (1..=MAX_DDR_FIFO_BITS).contains(&bits) && MAX_DDR_FIFO_BITS == 1 << FIFO_ADDRESS_BITS,
            "fold FIFO of {bits} bits: must be 1..={MAX_DDR_FIFO_BITS}"
        );
        BitFifo {
            clock: Default::default(),
            reset: Default::default(),
            in_bit: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            out_bit: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            ram: Default::default(),
            wr: Default::default(),
            rd: Default::default(),
            count: Default::default(),
            stale: Default::default(),
            push: Default::default(),
            pop: Default::default(),
            avail: Default::default(),
            rd_next: Default::default(),
            capacity: Constant::new((bits as u64).to_bits()),
        }
    }
}

impl Logic for BitFifo {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, wr, rd, count, stale);
        self.ram.read_clock.next = self.clock.val();
        self.ram.write_clock.next = self.clock.val();
        self.avail.next = (self.count.q.val() != 0) & !self.stale.q.val();
        self.push.next = self.in_valid.val() & (self.count.q.val() != self.capacity.val());
        self.pop.next = self.out_ready.val() & self.avail.val();
        self.rd_next.next = self.rd.q.val();
        if self.pop.val() {
            self.rd_next.next = self.rd.q.val() + 1;
        }
        if self.push.val() {
            self.wr.d.next = self.wr.q.val() + 1;
        }
        if self.push.val() & !self.pop.val() {
            self.count.d.next = self.count.q.val() + 1;
        } else if !self.push.val() & self.pop.val() {
            self.count.d.next = self.count.q.val() - 1;
        }
        // The read register loads the slot being written in this clock with its old content.
        self.stale.d.next = self.push.val() & (self.wr.q.val() == self.rd_next.val());
        if self.reset.val() {
            self.wr.d.next = 0.into();
            self.rd_next.next = 0.into();
            self.count.d.next = 0.into();
            self.stale.d.next = false;
        }
        self.rd.d.next = self.rd_next.val();
        self.ram.read_address.next = self.rd_next.val();
        self.ram.write_address.next = self.wr.q.val();
        self.ram.write_data.next = self.in_bit.val();
        self.ram.write_enable.next = self.push.val();
        self.in_ready.next = self.count.q.val() != self.capacity.val();
        self.out_valid.next = self.avail.val();
        self.out_bit.next = self.ram.read_data.val();
    }
}

/// The pair-form core for holdback buffers of 2^A pairs (A from [`address_bits`] of
/// `CoreParams::holdback_entries`).
#[derive(LogicBlock)]
pub struct SpeckleCoreDdr<const A: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The pin's DDR register: bit 0 taken at the rising edge, bit 1 at the falling edge after it.
    pub rd_pair: Signal<In, Bits<2>>,
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
    sampler: SamplerDdr,
    rct: RepcntHtPair,
    apt: AdaptpHtPair,
    markov: MarkovHtPair,
    gate: OutputGate,
    holdback: HoldbackPair<A>,
    fold: XorFoldPair,
    fifo: BitFifo,
    cond: Sha3Conditioner,
    dbuf: DigestBuffer,
    framer: Framer,
    tx: UartTx,
    rx: UartRx,
    parser: CmdParser,
    store: FrameStorePair,
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

impl<const A: usize> SpeckleCoreDdr<A> {
    /// Panics with the reason when `p` is invalid, is not a `ddr` core, or its holdback does not
    /// need A address bits.
    pub fn new(p: &CoreParams) -> Self {
        if let Err(e) = p.validate() {
            panic!("speckle_core: {e}");
        }
        assert!(p.ddr, "SpeckleCoreDdr is the pair form: p.ddr must be set");
        assert_eq!(
            address_bits(p.holdback_entries()),
            A,
            "the holdback for these parameters needs {} address bits",
            address_bits(p.holdback_entries())
        );
        let c = p.cutoffs();
        SpeckleCoreDdr {
            clock: Default::default(),
            reset: Default::default(),
            rd_pair: Default::default(),
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
            sampler: SamplerDdr::default(),
            rct: RepcntHtPair::new(c.rct),
            apt: AdaptpHtPair::new(p.window, c.apt),
            markov: MarkovHtPair::new(p.window, c.markov_lo, c.markov_hi),
            gate: OutputGate::default(),
            holdback: HoldbackPair::new(p.holdback_entries()),
            fold: XorFoldPair::new(p.fold_k),
            fifo: BitFifo::new(p.ddr_fifo_bits()),
            cond: Sha3Conditioner::new("speckle_core_cond", p.keccak, p.n_in),
            dbuf: DigestBuffer::new(p),
            framer: Framer::new(p),
            tx: UartTx::new(p.baud_divisor()),
            rx: UartRx::new(p.baud_divisor()),
            parser: CmdParser::default(),
            store: FrameStorePair::new(p),
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

impl<const A: usize> Logic for SpeckleCoreDdr<A> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(
            self, clock, sampler, rct, apt, markov, gate, holdback, fold, fifo, cond, dbuf, framer,
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
        self.sampler.rd_pair.next = self.rd_pair.val();
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
        self.holdback.in_pair.next = self.sampler.sample.val();
        self.holdback.in_valid.next = self.sampler.sample_valid.val();
        self.holdback.flush.next = self.gate.flush.val() | self.hold.val();
        self.holdback.out_ready.next = self.fold.in_ready.val();
        self.fold.reset.next = self.data_reset.val();
        self.fold.in_pair.next = self.holdback.out_pair.val();
        self.fold.in_valid.next = self.holdback.out_valid.val();
        self.fold.out_ready.next = self.fifo.in_ready.val();
        self.fifo.reset.next = self.data_reset.val();
        self.fifo.in_bit.next = self.fold.out_bit.val();
        self.fifo.in_valid.next = self.fold.out_valid.val();
        self.fifo.out_ready.next = self.cond.in_ready.val();
        self.cond.in_bit.next = self.fifo.out_bit.val();
        self.cond.in_valid.next = self.fifo.out_valid.val();
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
            self.samples.d.next = self.samples.q.val() + 2;
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

/// Verilog of the pair-form `speckle_core` (panics naming the problem if `p` is invalid).
pub fn generate(p: &CoreParams, profile: &str) -> String {
    macro_rules! sized {
        ($($a:literal),*) => {
            match address_bits(p.holdback_entries()) {
                $($a => crate::emit::emit("speckle_core", profile, SpeckleCoreDdr::<$a>::new(p)),)*
                other => panic!("speckle_core: a holdback of {} pairs needs {other} address bits; supported 9..=17 (window <= 16384)", p.holdback_entries()),
            }
        };
    }
    sized!(9, 10, 11, 12, 13, 14, 15, 16, 17)
}
