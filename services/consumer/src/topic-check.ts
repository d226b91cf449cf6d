import { backoffDelays, pause, type Logger } from '@badam/pipeline/core';
import type { TopicIdentity } from '@badam/pipeline/topic-admin';

export interface TopicCheck {
  topic: string;
  /** The topic's id when consuming began. */
  topicId: string;
  topicIdentity: TopicIdentity;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * Whether the topic still has the id it had when consuming began, asked again while the broker does not answer. A
 * different id means it was deleted and created again under this consumer: its records may be the new topic's, whose
 * offsets restart, and offsets committed by name would land on the new topic, so `onFatal` is told (the process
 * restarts, to consume the new topic from the start). Asked at least once, even when stopping (the commit of the
 * batch a stop lets finish is checked too); false when stopped before knowing.
 */
export async function confirmSameTopic(check: TopicCheck, onFatal: (error: Error) => void): Promise<boolean> {
  const { topic, topicId, signal } = check;
  const nextDelay = backoffDelays(200, 5000);
  for (;;) {
    try {
      const current = await check.topicIdentity.current();
      if (current === topicId) return true;
      onFatal(
        new Error(
          `topic ${topic} was recreated (id ${topicId} -> ${current}): restarting to consume it from the start`,
        ),
      );
      return false;
    } catch (error) {
      if (signal.aborted) return false;
      const delayMs = nextDelay();
      check.logger.warn({ err: error, delayMs }, 'cannot read the topic id, retrying');
      if (!(await pause(delayMs, signal))) return false; // a stop ends the wait, and the check
    }
  }
}
