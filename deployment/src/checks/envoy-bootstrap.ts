/** The part of envoy/envoy.yaml (Envoy's static bootstrap) the deployment checks read. */
interface SocketAddress {
  address?: string;
  port_value?: number;
}

export interface EnvoyCluster {
  name?: string;
  typed_extension_protocol_options?: Record<string, { common_http_protocol_options?: { idle_timeout?: string } }>;
  load_assignment?: {
    endpoints?: { lb_endpoints?: { endpoint?: { address?: { socket_address?: SocketAddress } } }[] }[];
  };
}

export interface EnvoyBootstrap {
  admin?: { address?: { socket_address?: SocketAddress } };
  static_resources?: {
    listeners?: { name?: string; address?: { socket_address?: SocketAddress } }[];
    clusters?: EnvoyCluster[];
  };
}

export function envoyClusters(envoy: unknown): EnvoyCluster[] {
  return (envoy as EnvoyBootstrap).static_resources?.clusters ?? [];
}

/** A cluster's endpoints as host:port. */
export function endpointsOf(cluster: EnvoyCluster | undefined): string[] {
  return (cluster?.load_assignment?.endpoints ?? [])
    .flatMap((locality) => locality.lb_endpoints ?? [])
    .map(
      ({ endpoint }) =>
        `${endpoint?.address?.socket_address?.address}:${endpoint?.address?.socket_address?.port_value}`,
    );
}

/** The port of the listener of that name ("gateway": where clients, and the load runner, reach the gateway). */
export function listenerPort(envoy: unknown, name: string): number | undefined {
  return (envoy as EnvoyBootstrap).static_resources?.listeners?.find((listener) => listener.name === name)?.address
    ?.socket_address?.port_value;
}
