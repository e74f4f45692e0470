// Formal wrapper of the generated speckle_repcnt_ht (SP 800-90B RCT), property (c) of docs/formal.md.
// Inputs are free every clock. A monitor written from the block's spec (docs/blocks/repcnt_ht.md)
// counts identical samples; RCT_CUTOFF comes from speckle-model (speckle-hdl --formal-defines).
`default_nettype none
`include "params.vh"
module repcnt_ht_formal(input wire clock, input wire reset, input wire sample, input wire sample_valid,
    input wire clear, input wire stats_clear);
    localparam integer C = `RCT_CUTOFF;
    wire fail;
    wire [15:0] run, max_run;
    wire last_q; // made a port by the `expose` of repcnt_ht.sby (inductive strengthening only)
    speckle_repcnt_ht dut(.clock(clock), .reset(reset), .sample(sample), .sample_valid(sample_valid),
        .clear(clear), .stats_clear(stats_clear), .fail(fail), .run(run), .max_run(max_run),
        .\last$q (last_q));

    reg past_valid = 1'b0;
    always @(posedge clock) past_valid <= 1'b1;

    // Monitor: length of the run of identical samples since reset / clear, saturating at C
    // (a run at or past C never fails again, whatever its length).
    reg [15:0] mrun = 16'd0;
    reg mlast = 1'b0;
    wire same = mrun != 16'd0 && sample == mlast;
    wire [15:0] mrun_next = !same ? 16'd1 : (mrun == C ? C[15:0] : mrun + 16'd1);
    // The sample that makes the run exactly C identical samples long.
    wire cth = sample_valid && same && mrun == C - 1;
    always @(posedge clock) begin
        if (sample_valid) begin
            mlast <= sample;
            mrun <= mrun_next;
        end
        if (clear || reset) mrun <= 16'd0;
    end

    always @(posedge clock) if (past_valid) begin
        // (c) RCT: fail strobes (one clock later) exactly for the sample completing C identical
        // samples: never for a shorter run, never twice for one run, and always for the C-th.
        assert (fail == $past(cth && !reset)); // mutant target: cutoff
    end
    always @(*) begin
        if (!past_valid) assert (!fail);
        // strengthening, also a property of its own: `run` is the run length (while below C)
        assert (mrun <= C);
        if (mrun < C) assert (run == mrun); else assert (run >= C);
        if (mrun != 16'd0) assert (last_q == mlast);
    end

    // Non-vacuity: the test fails, and a run goes past C without a second strobe.
    always @(posedge clock) if (past_valid) begin
        cover (fail);
        cover ($past(fail, 3) && run == C + 2);
    end
endmodule
