import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileSystemReader, locateStackFile, parseProject, ProjectFileError, readProject, stackFileOf, stackFilesOf } from "../../cli/project";

const files = (entries: Record<string, string>) => (path: string) => entries[path];

describe("Pulumi project file", () => {
  it("places stack files in stackConfigDir, with the project file's extension", () => {
    const project = readProject(files({ "Pulumi.yaml": "name: acme\nstackConfigDir: stacks/live\n" }))!;
    expect(project.name).toBe("acme");
    expect(stackFileOf(project, "dev")).toBe("stacks/live/Pulumi.dev.yaml");
    expect(stackFileOf(project, "acme-org/acme/prod")).toBe("stacks/live/Pulumi.prod.yaml");
  });

  it("places stack files next to the project file without stackConfigDir", () => {
    expect(stackFileOf(readProject(files({ "Pulumi.yml": "name: acme\n" }))!, "dev")).toBe("Pulumi.dev.yml");
    expect(stackFileOf(readProject(files({ "infra/Pulumi.yaml": "name: acme\n" }), "infra")!, "dev")).toBe("infra/Pulumi.dev.yaml");
    expect(stackFileOf(readProject(files({ "infra/Pulumi.yaml": "name: acme\nstackConfigDir: ../cfg\n" }), "infra")!, "dev")).toBe("cfg/Pulumi.dev.yaml");
  });

  it("refuses a Pulumi.json (Pulumi reads it first) and two project files in one folder", () => {
    expect(() => readProject(files({ "Pulumi.yaml": "name: a\n", "Pulumi.json": '{"name":"a"}' }))).toThrow(
      /Pulumi\.json: .*reads only Pulumi\.yaml or Pulumi\.yml/,
    );
    expect(() => readProject(files({ "infra/Pulumi.json": '{"name":"a"}' }), "infra")).toThrow(ProjectFileError);
    expect(() => readProject(files({ "Pulumi.yaml": "name: a\n", "Pulumi.yml": "name: b\n" }))).toThrow("more than one project file (Pulumi.yaml, Pulumi.yml)");
    const dir = mkdtempSync(join(tmpdir(), "project-json-"));
    writeFileSync(join(dir, "Pulumi.json"), '{"name":"a"}');
    expect(() => readProject(fileSystemReader(dir).read)).toThrow(ProjectFileError);
  });

  it("returns undefined when the folder has no project file", () => {
    expect(readProject(files({}))).toBeUndefined();
  });

  it.each([
    ["absolute", "name: a\nstackConfigDir: /etc\n"],
    ["climbing out", "name: a\nstackConfigDir: ../../x\n"],
    ["control character", 'name: a\nstackConfigDir: "st\\u0000acks"\n'],
    ["not a string", "name: a\nstackConfigDir: [x]\n"],
    ["no name", "stackConfigDir: stacks\n"],
    ["not YAML", "name: [\n"],
  ])("refuses a project file with %s", (_, text) => {
    expect(() => parseProject(text, "Pulumi.yaml")).toThrow(ProjectFileError);
  });

  it("refuses stack names Pulumi would not accept", () => {
    const project = parseProject("name: a\n", "Pulumi.yaml");
    expect(() => stackFileOf(project, "../x")).toThrow(/not a stack name/);
    expect(() => stackFileOf(project, "")).toThrow(/not a stack name/);
    expect(() => stackFileOf(project, "..")).toThrow(/not a stack name/);
    expect(() => stackFileOf(project, "a/b/c/d")).toThrow(/not a stack name/);
  });

  it("lists the stack files of a folder on disk, and locates --stack through Pulumi.yaml", () => {
    const root = mkdtempSync(join(tmpdir(), "project-"));
    mkdirSync(join(root, "cfg"));
    writeFileSync(join(root, "Pulumi.yaml"), "name: acme\nstackConfigDir: cfg\n");
    for (const name of ["Pulumi.b.yaml", "Pulumi.a.yaml", "Pulumi.yaml", "notes.yaml", "Pulumi.c.yml"]) writeFileSync(join(root, "cfg", name), "config: {}\n");
    const { read, list } = fileSystemReader(root);
    expect(stackFilesOf(readProject(read)!, list)).toEqual([
      { stack: "a", file: "cfg/Pulumi.a.yaml" },
      { stack: "b", file: "cfg/Pulumi.b.yaml" },
    ]);
    expect(locateStackFile(root, "b")).toBe("cfg/Pulumi.b.yaml");
    expect(locateStackFile(mkdtempSync(join(tmpdir(), "bare-")), "dev")).toBe("stacks/Pulumi.dev.yaml");
  });
});

describe("Pulumi's older `config: <dir>` spelling of the stack folder", () => {
  it("reads a string `config` as the stack folder, a map as project config, and refuses it with stackConfigDir", () => {
    expect(stackFileOf(readProject(files({ "Pulumi.yaml": "name: acme\nstackConfigDir: live\n" }))!, "dev")).toBe("live/Pulumi.dev.yaml");
    expect(stackFileOf(readProject(files({ "Pulumi.yaml": "name: acme\nconfig: live\n" }))!, "dev")).toBe("live/Pulumi.dev.yaml");
    expect(stackFileOf(readProject(files({ "Pulumi.yaml": "name: acme\nconfig:\n  aws:region: us-east-1\n" }))!, "dev")).toBe("Pulumi.dev.yaml");
    expect(() => readProject(files({ "Pulumi.yaml": "name: acme\nconfig: live\nstackConfigDir: stacks\n" }))).toThrow(/`config: <dir>`.*both set/);
    expect(() => readProject(files({ "Pulumi.yaml": "name: acme\nconfig: ../../out\n" }))).toThrow(/stay inside the repository/);
  });
});
