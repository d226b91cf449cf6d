/** Pieces every part of envoy.yaml uses (proto3 JSON mapping, snake_case field names). */

export const HTTP_CONNECTION_MANAGER_TYPE =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

export const ROUTER_FILTER = {
  name: 'envoy.filters.http.router',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
};

export function socketAddress(address: string, port: number) {
  return { socket_address: { address, port_value: port } };
}

/** A route Envoy answers itself with a JSON body (the gateway's health, its 404). */
export function jsonResponse(name: string, match: Record<string, string>, status: number, body: string) {
  return {
    name,
    match,
    direct_response: { status, body: { inline_string: body } },
    response_headers_to_add: [
      { header: { key: 'content-type', value: 'application/json' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    ],
  };
}

/** A runtime fraction fixed at 100 % (filters that default to 0 % "for safety" otherwise do nothing). */
export function always(runtimeKey: string) {
  return { runtime_key: runtimeKey, default_value: { numerator: 100, denominator: 'HUNDRED' } };
}

/** Envoy and protobuf JSON durations: "1.5s". */
export function seconds(ms: number): string {
  return `${ms / 1000}s`;
}
