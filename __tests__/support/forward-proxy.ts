// A forward proxy on loopback, as a corporate network puts in front of a self-hosted runner: plain
// HTTP requests in absolute form are relayed, HTTPS goes through a CONNECT tunnel. It records what
// passed through it.
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'

export class ForwardProxy {
  /** `GET http://host/path` for relayed requests, `CONNECT host:port` for tunnels. */
  readonly seen: string[] = []
  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<ForwardProxy> {
    const proxy = new ForwardProxy(http.createServer())
    proxy.server.on('request', (request, response) => {
      proxy.seen.push(`${request.method} ${request.url}`)
      const upstream = http.request(
        request.url ?? '',
        { method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(response)
        }
      )
      upstream.on('error', () => response.writeHead(502).end())
      request.pipe(upstream)
    })
    proxy.server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      proxy.seen.push(`CONNECT ${request.url}`)
      const [host, port] = (request.url ?? '').split(':')
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(client)
        client.pipe(upstream)
      })
      upstream.on('error', () => client.destroy())
      client.on('error', () => upstream.destroy())
    })
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise((resolve) => this.server.close(resolve))
  }
}

/** Whether this Node's agents honour `proxyEnv` (Node 24.5 and later): one request through a proxy tells. */
export async function agentsHonourProxyEnv(): Promise<boolean> {
  const proxy = await ForwardProxy.start()
  const target = http.createServer((_request, response) => response.end('ok'))
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve))
  const agent = new http.Agent({ proxyEnv: { HTTP_PROXY: proxy.url } } as http.AgentOptions)
  try {
    await new Promise<void>((resolve, reject) => {
      http
        .get(`http://127.0.0.1:${(target.address() as AddressInfo).port}/`, { agent }, (response) =>
          response.resume().on('end', resolve)
        )
        .on('error', reject)
    })
    return proxy.seen.length > 0
  } finally {
    agent.destroy()
    target.close()
    await proxy.stop()
  }
}
