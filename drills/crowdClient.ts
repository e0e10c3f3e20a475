// A part of the crowd drill's customers, in a process of its own (drills/crowd.ts forks a few): it opens real
// Socket.IO connections, joins each to the queue, and reports the position pushes each customer receives.
import { io, type Socket } from 'socket.io-client';

/** What the drill asks of this process, and what it answers (over the IPC channel). */
export type CrowdRequest = { type: 'join'; url: string; count: number; concurrency: number } | { type: 'report'; since: number } | { type: 'close' };
export type CrowdReply =
  | { type: 'joined'; joined: number; failed: number; errors: string[] }
  | { type: 'report'; delays: number[]; positions: number[]; notPushed: number; disconnected: number; inCall: number };

interface Customer {
  socket: Socket;
  position: number;
  /** When each position push arrived (epoch ms). */
  pushedAt: number[];
  /** Answered: out of the line (the head, once an agent takes it). */
  inCall: boolean;
}

const customers: Customer[] = [];

const send = (reply: CrowdReply) => process.send!(reply);

function joinOne(url: string): Promise<Customer> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 60_000 });
    const customer: Customer = { socket, position: 0, pushedAt: [], inCall: false };
    socket.on('call:started', () => (customer.inCall = true));
    socket.on('queue:status', (status: { position: number }) => {
      customer.position = status.position;
      customer.pushedAt.push(Date.now());
    });
    socket.once('connect_error', (error) => reject(error));
    socket.once('connect', () => {
      socket.timeout(60_000).emit('queue:join', { mode: 'csl', topic: 'Waiting in the crowd', device: 'phone' }, (error: Error | null, ack: { ok: boolean; data?: { position: number }; error?: { code: string; message: string } }) => {
        if (error) return reject(error);
        if (!ack.ok) return reject(new Error(`${ack.error?.code}: ${ack.error?.message}`));
        customer.position = ack.data!.position;
        resolve(customer);
      });
    });
  });
}

process.on('message', async (request: CrowdRequest) => {
  switch (request.type) {
    case 'join': {
      let next = 0;
      let failed = 0;
      const errors = new Set<string>();
      await Promise.all(
        Array.from({ length: request.concurrency }, async () => {
          while (next < request.count) {
            next++;
            try {
              customers.push(await joinOne(request.url));
            } catch (error) {
              failed++;
              errors.add(error instanceof Error ? error.message : String(error));
            }
          }
        }),
      );
      return send({ type: 'joined', joined: customers.length, failed, errors: [...errors].slice(0, 5) });
    }
    case 'report': {
      // Each waiting customer's first push at or after `since`; whoever is in a call has left the line.
      const waiting = customers.filter((c) => !c.inCall);
      const firsts = waiting.map((c) => c.pushedAt.find((at) => at >= request.since));
      return send({
        type: 'report',
        delays: firsts.filter((at) => at !== undefined).map((at) => at - request.since),
        positions: waiting.map((c) => c.position),
        notPushed: firsts.filter((at) => at === undefined).length,
        disconnected: customers.filter((c) => !c.socket.connected).length,
        inCall: customers.length - waiting.length,
      });
    }
    case 'close':
      for (const customer of customers) customer.socket.close();
      process.exit(0);
  }
});
