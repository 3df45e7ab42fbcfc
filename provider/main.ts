/**
 * The plugin Pulumi starts for `pulumi package add` (PulumiPlugin.yaml `main`, compiled to
 * dist/provider/main.js): serves the component provider over gRPC until the engine stops it.
 */
import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { providerOptions } from "./options";

void componentProviderHost(providerOptions());
