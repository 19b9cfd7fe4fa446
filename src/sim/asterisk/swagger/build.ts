/** Builders for the Swagger 1.2 documents the simulator serves (the format ari-client 2.2.0 loads). */

/** One operation parameter: name, where it goes, its type, required?, allowMultiple? */
export type Param = [name: string, paramType: 'query' | 'path' | 'body', dataType: string, required?: boolean, multiple?: boolean];

/** One operation: HTTP method, nickname (ari-client's method name), response class, params, error codes. */
export interface Op { method: string; nickname: string; response: string; params?: Param[]; errors?: Array<[number, string]>; upgrade?: boolean }

/** A path with its operations. */
export interface Api { path: string; ops: Op[] }

/** Swagger 1.2 API declaration for one resource. */
export function declaration(resource: string, basePath: string, apis: Api[], models: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: '2.0.0',
    swaggerVersion: '1.2',
    basePath,
    resourcePath: `/api-docs/${resource}.{format}`,
    apis: apis.map((a) => ({
      path: a.path,
      description: `Switchboard ARI simulator: ${a.path}`,
      operations: a.ops.map((o) => ({
        httpMethod: o.method,
        summary: o.nickname,
        nickname: o.nickname,
        responseClass: o.response,
        ...(o.upgrade ? { upgrade: 'websocket', websocketProtocol: 'ari' } : {}),
        parameters: (o.params ?? []).map(([name, paramType, dataType, required = false, allowMultiple = false]) => ({
          name, description: name, paramType, required, allowMultiple, dataType,
        })),
        errorResponses: (o.errors ?? []).map(([code, reason]) => ({ code, reason })),
      })),
    })),
    models,
  };
}

/** A model: property name -> [type, required?]. */
export function model(id: string, props: Record<string, [string, boolean?]>): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, [type, required = false]] of Object.entries(props)) properties[name] = { type, required, description: name };
  return { id, description: id, properties };
}
