/**
 * A ResourceMonitor and Engine gRPC service on loopback, built on the SDK's own generated stubs, that
 * answers a Node.js program the way the Pulumi engine (pkg/resource/deploy/source_eval.go, v3.248.0)
 * does, with no providers behind it. Every RegisterResource is recorded exactly as it crossed the wire.
 *
 * Preview (dry run): custom resources get no id and their inputs echoed back; every output that is
 * not an input is absent, which the SDK reads as unknown in a preview (runtime/rpc.js resolveOutputs),
 * as a provider's preview of a create does. Update: inputs echoed plus the computed outputs the test
 * supplies (`computed`), and an id, as a provider's Create would return.
 */
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as engineRpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import * as resourceRpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resourcePb from "@pulumi/pulumi/proto/resource_pb";
import { fromStruct, toStruct, type WireObject, type WireValue } from "./wire";

export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly parent: string;
  /** The inputs exactly as they crossed the wire (secret and unknown sentinels kept). */
  readonly inputs: WireObject;
  /** What this monitor answered (the resource's outputs). */
  readonly outputs: WireObject;
  readonly id: string;
  /** Provider reference `urn::id` as sent, or "" for the default provider. */
  readonly provider: string;
  readonly version: string;
  readonly dependencies: readonly string[];
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  readonly protect: boolean;
  readonly ignoreChanges: readonly string[];
  readonly additionalSecretOutputs: readonly string[];
  readonly deleteBeforeReplace?: boolean;
  readonly aliases: readonly string[];
  readonly customTimeouts: { readonly create: string; readonly update: string; readonly delete: string };
}

export interface EngineLog {
  readonly severity: "debug" | "info" | "warning" | "error";
  readonly message: string;
  readonly urn: string;
}

export interface MonitorOptions {
  readonly project: string;
  readonly stack: string;
  readonly organization: string;
  readonly dryRun: boolean;
  /** Update mode only: the outputs a provider would compute for a created resource (e.g. an ARN). */
  readonly computed?: (type: string, name: string, inputs: WireObject) => WireObject;
}

/** The features the v3.248.0 engine reports in `supportsFeatureID` (source_eval.go). */
const ENGINE_FEATURES = new Set([
  "secrets",
  "resourceReferences",
  "outputValues",
  "aliasSpecs",
  "replacementTrigger",
  "deletedWith",
  "replaceWith",
  "transforms",
  "invokeTransforms",
  "parameterization",
  "resourceHooks",
  "errorHooks",
  "sendsOptionsToHooks",
]);

const SEVERITY: Record<number, EngineLog["severity"]> = {
  [enginePb.LogSeverity.DEBUG]: "debug",
  [enginePb.LogSeverity.INFO]: "info",
  [enginePb.LogSeverity.WARNING]: "warning",
  [enginePb.LogSeverity.ERROR]: "error",
};

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

type Handler<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;

function unary<Req, Res>(body: (request: Req) => Res): Handler<Req, Res> {
  return (call, callback) => {
    try {
      callback(null, body(call.request));
    } catch (error) {
      callback({ code: grpc.status.INTERNAL, details: (error as Error).message });
    }
  };
}

function refuse(what: string): Handler<unknown, unknown> {
  return (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: `engine harness: unexpected ${what}` });
}

export class EngineMonitor {
  readonly resources: RecordedResource[] = [];
  readonly logs: EngineLog[] = [];
  /** Everything the program asked for that a plain registration program must never ask for. */
  readonly unexpected: string[] = [];
  readonly stackOutputs = new Map<string, WireObject>();
  private rootResource = "";
  private readonly server = new grpc.Server();
  private port = 0;

  constructor(private readonly options: MonitorOptions) {
    this.server.addService(resourceRpc.ResourceMonitorService, {
      supportsFeature: unary((req: resourcePb.SupportsFeatureRequest) =>
        new resourcePb.SupportsFeatureResponse().setHassupport(ENGINE_FEATURES.has(req.getId())),
      ),
      getDeploymentInfo: unary(() =>
        new resourcePb.DeploymentInfo().setProject(options.project).setStack(options.stack).setOrganization(options.organization).setDryrun(options.dryRun),
      ),
      registerResource: unary((req: resourcePb.RegisterResourceRequest) => this.register(req)),
      registerResourceOutputs: unary((req: resourcePb.RegisterResourceOutputsRequest) => {
        this.stackOutputs.set(req.getUrn(), fromStruct(req.getOutputs()));
        return new Empty();
      }),
      signalAndWaitForShutdown: unary(() => new Empty()),
      // A least-privilege program only declares resources: anything else is a finding, reported loudly.
      invoke: this.unexpectedCall("Invoke", (req: resourcePb.ResourceInvokeRequest) => req.getTok()),
      call: this.unexpectedCall("Call", (req: resourcePb.ResourceCallRequest) => req.getTok()),
      readResource: this.unexpectedCall("ReadResource", (req: resourcePb.ReadResourceRequest) => req.getType()),
      registerStackTransform: refuse("RegisterStackTransform"),
      registerStackInvokeTransform: refuse("RegisterStackInvokeTransform"),
      registerResourceHook: refuse("RegisterResourceHook"),
      registerErrorHook: refuse("RegisterErrorHook"),
      registerPackage: this.unexpectedCall("RegisterPackage", (req: resourcePb.RegisterPackageRequest) => req.getName()),
    });
    this.server.addService(engineRpc.EngineService, {
      log: unary((req: enginePb.LogRequest) => {
        this.logs.push({ severity: SEVERITY[req.getSeverity()] ?? "error", message: req.getMessage(), urn: req.getUrn() });
        return new Empty();
      }),
      getRootResource: unary(() => new enginePb.GetRootResourceResponse().setUrn(this.rootResource)),
      setRootResource: unary((req: enginePb.SetRootResourceRequest) => {
        this.rootResource = req.getUrn();
        return new enginePb.SetRootResourceResponse();
      }),
      requirePulumiVersion: unary(() => new Empty()),
      startDebugging: refuse("StartDebugging"),
    });
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<string> {
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    return this.address;
  }

  stop(): void {
    this.server.forceShutdown();
  }

  errors(): EngineLog[] {
    return this.logs.filter((log) => log.severity === "error");
  }

  private unexpectedCall<Req>(what: string, describe: (request: Req) => string): Handler<Req, unknown> {
    return (call, callback) => {
      const message = `engine harness: unexpected ${what} ${describe(call.request)}`;
      this.unexpected.push(message);
      callback({ code: grpc.status.FAILED_PRECONDITION, details: message });
    };
  }

  private urn(type: string, name: string, parent: string): string {
    // source_eval.go: the parent's qualified type prefixes the type, except for the root stack.
    const parentType = parent ? parent.split("::")[2] : "";
    const qualified = parentType && parentType !== ROOT_STACK_TYPE ? `${parentType}$${type}` : type;
    return `urn:pulumi:${this.options.stack}::${this.options.project}::${qualified}::${name}`;
  }

  private register(req: resourcePb.RegisterResourceRequest): resourcePb.RegisterResourceResponse {
    if (req.getTransformsList().length > 0) throw new Error(`engine harness: transforms on ${req.getType()} ${req.getName()} are not modelled`);
    if (req.getRemote()) throw new Error(`engine harness: remote component ${req.getType()} is not modelled`);
    const type = req.getType();
    const name = req.getName();
    const urn = this.urn(type, name, req.getParent());
    if (this.resources.some((r) => r.urn === urn)) throw new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`);
    const inputs = fromStruct(req.getObject());
    const custom = req.getCustom();
    let id = "";
    let outputs: WireObject = {};
    if (custom) {
      outputs = { ...inputs };
      if (!this.options.dryRun) {
        id = `${name}-id`;
        outputs = { ...outputs, ...(this.options.computed?.(type, name, inputs) ?? {}) };
      }
    }
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, key) => (propertyDependencies[key] = deps.getUrnsList()));
    const timeouts = req.getCustomtimeouts();
    this.resources.push({
      urn,
      type,
      name,
      custom,
      parent: req.getParent(),
      inputs,
      outputs,
      id,
      provider: req.getProvider(),
      version: req.getVersion(),
      dependencies: req.getDependenciesList(),
      propertyDependencies,
      protect: req.getProtect() ?? false,
      ignoreChanges: req.getIgnorechangesList(),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
      aliases: req.getAliasurnsList(),
      customTimeouts: { create: timeouts?.getCreate() ?? "", update: timeouts?.getUpdate() ?? "", delete: timeouts?.getDelete() ?? "" },
    });
    const response = new resourcePb.RegisterResourceResponse().setUrn(urn).setId(id).setObject(toStruct(outputs));
    return response;
  }
}

export type { WireValue };
