/**
 * The plugin Pulumi starts for `pulumi package add` (PulumiPlugin.yaml `main`, compiled to
 * dist/provider/main.js): serves the component provider over gRPC until the engine stops it.
 */
import { main } from "@pulumi/pulumi/provider";
import { packagedProvider } from "./packaged";

void main(packagedProvider(), process.argv.slice(2));
