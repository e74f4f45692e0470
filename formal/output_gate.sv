// Formal wrapper of the generated speckle_output_gate (rtl/<profile>/blocks/speckle_output_gate.v).
// Every input is free (the solver picks it each clock); the properties read only the block's ports.
`default_nettype none
`include "params.vh"
module output_gate_formal(input wire clock, input wire reset, input wire rct_fail, input wire apt_fail,
    input wire markov_fail, input wire los, input wire ext_alarm, input wire clear_alarms,
    input wire sample_valid);
    // Two internal registers, made ports by the `expose` of output_gate.sby, only to state the
    // inductive invariants that let k-induction close (the properties themselves read ports only).
    wire [10:0] count_q;
    wire sv_d_q;
    wire [4:0] alarms;
    wire startup_done, gate_open, flush, los_level;
    wire [15:0] rct_failures, apt_failures, markov_failures;
    speckle_output_gate dut(.clock(clock), .reset(reset), .rct_fail(rct_fail), .apt_fail(apt_fail),
        .markov_fail(markov_fail), .los(los), .ext_alarm(ext_alarm), .clear_alarms(clear_alarms),
        .sample_valid(sample_valid), .alarms(alarms), .startup_done(startup_done), .gate_open(gate_open),
        .flush(flush), .los_level(los_level), .rct_failures(rct_failures), .apt_failures(apt_failures),
        .markov_failures(markov_failures), .\count$q (count_q), .\sv_d$q (sv_d_q));

    reg past_valid = 1'b0;
    always @(posedge clock) past_valid <= 1'b1;

    // Monitor: sample_valid strobes since the last reset, since the last clear_alarms (its own clock
    // included: that sample's verdict is the first the gate counts after the clear), or since the
    // last clock with an alarm latched; saturating at 2 * STARTUP_SAMPLES.
    reg [15:0] clean = 16'd0;
    always @(posedge clock)
        if (reset) clean <= 16'd0;
        else if (clear_alarms) clean <= {15'd0, sample_valid};
        else if (alarms != 5'd0) clean <= 16'd0;
        else if (sample_valid && clean != 2 * `STARTUP_SAMPLES) clean <= clean + 16'd1;

    always @(*) begin
        // (a) the gate is open exactly when the startup test passed and no alarm is latched ...
        assert (gate_open == (startup_done && alarms == 5'd0));
        // ... and never before STARTUP_SAMPLES samples have gone by since the last reset, clear or alarm.
        if (gate_open) assert (clean >= `STARTUP_SAMPLES);
`ifndef MUTANT
        // Inductive strengthening (true in every reachable state; k-induction needs them stated):
        // the gate's own count never runs ahead of the monitor's and stays below the target until
        // startup_done rises.
        assert (clean <= 2 * `STARTUP_SAMPLES);
        if (!startup_done) assert (count_q < `STARTUP_SAMPLES);
        if (!startup_done && alarms == 5'd0) assert (count_q + sv_d_q <= clean);
        if (startup_done && alarms == 5'd0) assert (clean >= `STARTUP_SAMPLES);
`endif
    end

    integer i;
    always @(posedge clock) if (past_valid) begin
        for (i = 0; i < 5; i = i + 1) begin
            // (b) a latched alarm stays latched until clear_alarms or reset
            if ($past(alarms[i] && !clear_alarms && !reset)) assert (alarms[i]); // mutant target: sticky
        end
        // a fail strobe latches its alarm in the next clock (unless reset)
        if ($past(rct_fail && !reset)) assert (alarms[0]);
        if ($past(apt_fail && !reset)) assert (alarms[1]);
        if ($past(markov_fail && !reset)) assert (alarms[2]);
        // a reset clears every alarm, the startup test and the gate
        if ($past(reset)) assert (alarms == 5'd0 && !startup_done && !gate_open);
    end

    // Non-vacuity. Task cover: every alarm fires and latches from reset (short traces).
    // Task cover_open (COVER_OPEN): the health tests pass and the samples keep coming until the gate
    // has opened once (an assumption on the inputs, only in this task, so that the solver has one
    // trace of ~1030 clocks to find), then the inputs are free again: the gate opens, and an alarm
    // closes it again.
    reg opened = 1'b0;
    always @(posedge clock) if (gate_open) opened <= 1'b1;
`ifdef COVER_OPEN
    always @(*) if (!opened && past_valid)
        assume (!reset && sample_valid && !rct_fail && !apt_fail && !markov_fail && !los && !ext_alarm
            && !clear_alarms);
    always @(posedge clock) if (past_valid) begin
        cover (gate_open);
        cover (opened && !gate_open && alarms != 5'd0);
    end
`else
    always @(posedge clock) if (past_valid) begin
        cover (alarms[0]);
        cover (alarms[1]);
        cover (alarms[2]);
        cover (alarms[3]);
        cover (alarms[4]);
        cover (flush);
    end
`endif
endmodule
