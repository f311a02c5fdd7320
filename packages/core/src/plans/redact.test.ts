import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { LoggedSchema, ShapesSchema } from "../gen/sz/testing/v1/shapes_pb.js";
import { REDACTED, redact, redactJson } from "./redact.js";

const logged = () =>
  create(LoggedSchema, { apiToken: "tok-123", pin: 4321, note: "keep", leaf: { secret: "hidden", label: "l" }, inner: { value: "gone" } });

describe("redact", () => {
  it("masks sensitive values at any depth and keeps the rest", () => {
    const m = create(ShapesSchema, {
      plain: "visible",
      secret: "hidden-1",
      blob: new Uint8Array([1]),
      secrets: ["hidden-2", ""],
      leaves: [{ secret: "hidden-3", label: "shown" }],
      byName: { k: "hidden-4" },
      choice: { case: "secretChoice", value: "hidden-5" },
    });
    const r = redact(ShapesSchema, m);
    assert.equal(r.plain, "visible");
    assert.equal(r.secret, REDACTED);
    assert.equal(r.blob.length, 0);
    assert.deepEqual(r.secrets, [REDACTED, ""]);
    assert.equal(r.leaves[0]?.secret, REDACTED);
    assert.equal(r.leaves[0]?.label, "shown");
    assert.deepEqual(r.byName, { k: REDACTED });
    assert.deepEqual(r.choice, { case: "secretChoice", value: REDACTED });
    assert.equal(m.secret, "hidden-1", "the input is not modified");
    assert.ok(!JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? String(v) : v)).includes("hidden"));
  });

  it("honours protobuf's debug_redact, which protobuf-es does not act on", () => {
    const r = redact(LoggedSchema, logged());
    assert.equal(r.apiToken, REDACTED);
    assert.equal(r.pin, 0);
    assert.equal(r.note, "keep");
    assert.equal(r.leaf?.secret, REDACTED);
    assert.equal(r.inner, undefined);
  });
});

describe("redactJson", () => {
  it("replaces every marked value in the JSON form, whatever its type", () => {
    assert.deepEqual(redactJson(LoggedSchema, logged()), {
      apiToken: REDACTED,
      pin: REDACTED,
      note: "keep",
      leaf: { secret: REDACTED, label: "l" },
      inner: REDACTED,
    });
  });

  it("masks list and map entries", () => {
    const m = create(ShapesSchema, { secrets: ["a", "b"], byName: { x: "y" }, leafByName: { k: { secret: "s", label: "v" } } });
    assert.deepEqual(redactJson(ShapesSchema, m), {
      secrets: [REDACTED, REDACTED],
      byName: { x: REDACTED },
      leafByName: { k: { secret: REDACTED, label: "v" } },
    });
  });
});
