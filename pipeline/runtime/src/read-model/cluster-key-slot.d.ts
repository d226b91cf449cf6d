// cluster-key-slot (ioredis' own dependency) ships no types: the one function the cluster writes use.
declare module 'cluster-key-slot' {
  /** The hash slot (0..16383) of a key, honouring a {hash tag}. */
  export default function calculateSlot(key: string | Buffer): number;
}
