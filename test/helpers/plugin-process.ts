/**
 * A provider plugin process as Pulumi runs one: it prints its gRPC port on stdout, then serves the
 * ResourceProvider service on loopback. Used by the plugin tests, from source and from the package.
 */
import * as grpc from "@grpc/grpc-js";
import type { ChildProcess } from "node:child_process";
import * as providerRpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";

/** The port the plugin prints; rejects with its stderr if it exits first. */
export function pluginPort(child: ChildProcess): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^(\d+)\s*$/m.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("exit", (code) => reject(new Error(`plugin exited (${code}) before printing its port: ${err}`)));
  });
}

/** The schema the plugin answers to GetSchema. */
export async function pluginSchema(child: ChildProcess): Promise<string> {
  const port = await pluginPort(child);
  const client = new providerRpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    return await new Promise<string>((resolve, reject) =>
      client.getSchema(new providerPb.GetSchemaRequest(), (error, response) => (error ? reject(error) : resolve(response!.getSchema()))),
    );
  } finally {
    client.close();
  }
}
