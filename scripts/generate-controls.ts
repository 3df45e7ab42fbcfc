/** `npm run docs`: regenerate docs/controls.md from the rule metadata. */
import { writeFileSync } from "node:fs";
import { renderControls } from "../cli/controls-doc";

writeFileSync("docs/controls.md", renderControls());
process.stdout.write("docs/controls.md written\n");
