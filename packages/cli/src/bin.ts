#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { decryptCommand, encryptCommand } from "./commands/crypt.js";
import { fingerprintCommand } from "./commands/fingerprint.js";
import { inspectCommand } from "./commands/inspect.js";
import { keygenCommand } from "./commands/keygen.js";
import { lintCommand } from "./commands/lint.js";
import { describeFailure, EXIT, exitCodeHelp } from "./exit-codes.js";

// `szcrypt --help | head`: a reader that stops early is not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") {
    process.exit(0);
  }
  throw err;
});

const program = new Command()
  .name("szcrypt")
  .description(
    "Field-level payload encryption for SZ platform services, on the command line.\nKeys come from SZCRYPT_KEY or --key-file, never from an argument.",
  )
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) })
  .addHelpText(
    "after",
    `
Examples:
  export SZCRYPT_KEY=$(szcrypt keygen)                 16 random bytes as hex: (AES-128)
  szcrypt fingerprint                                  compare keys across services without showing them
  echo 'This is a secret message' | szcrypt encrypt    the page's encrypt_message
  echo '{"dummy": "dummy"}' | szcrypt encrypt --json   the page's encrypt_message(json.dumps(d))
  szcrypt decrypt <token>
  szcrypt encrypt --format szc1 --field sz.examples.v1.Payment.card_number 4111-1111
  szcrypt encrypt --format szc1 --field F --context acme --context pay_0001 4111
                                                       bound to tenant and record: decrypt needs the same parts
  szcrypt inspect <token>                              format, key id and sizes; no key needed
  szcrypt lint proto/                                  check every (sz.crypt.v1.sensitive) annotation
${exitCodeHelp}`,
  );

keygenCommand(program);
encryptCommand(program);
decryptCommand(program);
fingerprintCommand(program);
inspectCommand(program);
lintCommand(program);
for (const command of program.commands) {
  command.exitOverride();
}

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version print and exit 0; every other parse error is bad usage.
    process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  } else {
    const { code, message } = describeFailure(err);
    process.stderr.write(`szcrypt: ${message}\n`);
    process.exitCode = code;
  }
}
