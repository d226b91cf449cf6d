import type { MessageRow } from '@badam/pipeline';

/**
 * The partition number every seeded row carries. The consumer skips a record when its offset is below the group's
 * next offset *for the record's source* (`groupHeads` reads max(kafka_offset) + 1 per group, topic id and partition,
 * `assignOrders` compares per source; seeded rows have no topic id, which counts as the current topic's). Kafka partition ids are int32, so 2^31 (which fits the UInt32 column) is a
 * partition no topic can have: seeded offsets never shadow a real record, while the seeded rows still count in the
 * group's max(order), so live messages continue at n + 1. Seeded offsets are 0, 1, 2... across the whole seed, which
 * keeps (kafka_partition, kafka_offset) unique as the reconciliation expects.
 */
export const SEED_PARTITION = 2 ** 31;

export interface SeedPlan {
  /** Messages in all. */
  messages: number;
  /** Groups 1..groups; each message lands in one of them at random (uniformly), so some stay empty. */
  groups: number;
  /** Sender ids 1..senders (the load scenario's users are its VU numbers, 1..1000). */
  senders?: number;
  /** Messages are dated over the `days` before `nowMs`, increasing with their order within a group. */
  days?: number;
  nowMs: number;
  /** PRNG seed: the same plan makes the same rows. */
  seed?: number;
}

/** mulberry32: tiny, fast and good enough to spread messages; Math.random cannot be seeded. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PHRASES = [
  'Hello from {sender}',
  'see you at 6?',
  'who is bringing the slides for tomorrow',
  'the build is green again',
  'ok',
  'thanks! 🙏',
  'can someone review my PR before lunch, it is the one that touches the consumer batching',
  'running 10 minutes late',
  'did anyone else get the invoice twice?',
  'lol',
];

function text(random: () => number, sender: number): string {
  const parts = 1 + Math.floor(random() * random() * 4);
  const words: string[] = [];
  for (let i = 0; i < parts; i++) words.push(PHRASES[Math.floor(random() * PHRASES.length)] ?? 'ok');
  return words.join(' ').replace('{sender}', String(sender));
}

/**
 * The rows the pipeline would have stored for that history, in blocks of `blockRows`, in sort-key order
 * (group_id, order): each group's orders are 1..n, contiguous, dated in order.
 */
export function* seedBlocks(plan: SeedPlan, blockRows: number): Generator<MessageRow[]> {
  const random = prng(plan.seed ?? 42);
  const senders = plan.senders ?? 1000;
  const spanMs = (plan.days ?? 30) * 86_400_000;
  // A minute back from now, so a seeded row is never mistaken for one stored during a run that starts next.
  const newestMs = plan.nowMs - 60_000;
  const counts = new Uint32Array(plan.groups);
  for (let i = 0; i < plan.messages; i++) counts[Math.floor(random() * plan.groups)]! += 1;

  let block: MessageRow[] = [];
  let offset = 0;
  for (let index = 0; index < plan.groups; index++) {
    const count = counts[index] ?? 0;
    if (count === 0) continue;
    const times = Array.from({ length: count }, () => newestMs - Math.floor(random() * spanMs)).sort((a, b) => a - b);
    for (let order = 1; order <= count; order++) {
      const sender = 1 + Math.floor(random() * senders);
      block.push({
        group_id: index + 1,
        order,
        sender_id: sender,
        text: text(random, sender),
        created_at_ms: times[order - 1] ?? newestMs,
        kafka_partition: SEED_PARTITION,
        kafka_offset: offset++,
      });
      if (block.length === blockRows) {
        yield block;
        block = [];
      }
    }
  }
  if (block.length > 0) yield block;
}
