import { z } from 'zod';
import { callQualityRecordSchema, idSchema, liveCallSchema, type CallQualityRecord, type LiveCall } from '../../signaling/index.js';
import type { Logger } from '../logger.js';
import { answersCame } from '../socket/callForwarding.js';
import type { AppServer } from '../socket/types.js';

/** What this node tells the others of its calls, for a supervisor connected to any node. */
export interface LocalCalls {
  /** This node's live calls as the supervisor's overview lists them. */
  calls(): LiveCall[];
  /** The quality record of a call this node hosts, or undefined. */
  quality(sessionId: string): CallQualityRecord | undefined;
}

/** The other nodes' part of the supervisor's view. */
export interface OtherNodes {
  /** Every other node's live calls; a node that does not answer in time is left out. */
  calls(): Promise<LiveCall[]>;
  /** The quality record of a call another node hosts, or undefined. */
  quality(sessionId: string): Promise<CallQualityRecord | undefined>;
}

const liveCallsSchema = z.array(liveCallSchema);

/**
 * With several nodes (Redis), a call lives on the node that hosts it: the supervisor's overview, asked of any node,
 * gathers every node's calls, and a call's quality is read from its node. Answers are checked as any input is.
 */
export function shareSupervisorView(io: AppServer, local: LocalCalls, log: Logger): OtherNodes {
  io.on('supervisor:calls', (reply: (calls: LiveCall[]) => void) => reply(local.calls()));
  io.on('supervisor:quality', (sessionId: string, reply: (record: CallQualityRecord | null) => void) => {
    const checked = idSchema.safeParse(sessionId);
    reply((checked.success && local.quality(checked.data)) || null);
  });
  return {
    async calls() {
      const answers = await answersCame(io.serverSideEmitWithAck('supervisor:calls'));
      return answers.flatMap((answer) => {
        const parsed = liveCallsSchema.safeParse(answer);
        if (!parsed.success) log.warn(`a node answered the supervisor's calls with something unreadable: ${parsed.error.message}`);
        return parsed.success ? parsed.data : [];
      });
    },
    async quality(sessionId) {
      const answers = await answersCame(io.serverSideEmitWithAck('supervisor:quality', sessionId));
      for (const answer of answers) {
        const parsed = callQualityRecordSchema.safeParse(answer);
        if (parsed.success) return parsed.data;
      }
      return undefined;
    },
  };
}
