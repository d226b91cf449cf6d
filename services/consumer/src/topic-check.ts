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
 * offsets restart, so `onFatal` is told (the process restarts, to consume the new topic from the start). False too
 * when stopped before knowing.
 */
export async function confirmSameTopic(check: TopicCheck, onFatal: (error: Error) => void): Promise<boolean> {
  const { topic, topicId, signal } = check;
  const nextDelay = backoffDelays(200, 5000);
  while (!signal.aborted) {
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
      const delayMs = nextDelay();
      check.logger.warn({ err: error, delayMs }, 'cannot read the topic id, retrying');
      await pause(delayMs, signal); // a stop ends the wait, and the check
    }
  }
  return false;
}
