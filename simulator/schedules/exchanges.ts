/**
 * Blocking pipeline exchanges: how Megatron-LM moves activations and gradients between stages when P2P communication
 * does not overlap compute (`--no-overlap-p2p-communication`, `overlap_p2p_comm: false`).
 *
 * Each exchange is one `_communicate` call (megatron/core/pipeline_parallel/p2p_communication.py): its sends and
 * receives go out together through `torch.distributed.batch_isend_irecv`, and the rank waits on every request (then
 * `torch.cuda.synchronize()`) before its next op. An NCCL send completes only once its peer has posted the matching
 * receive, so an exchange is a rendezvous: a message moves when both ends have reached the calls holding it, and a
 * call ends when its last message has arrived. A rank waits for its neighbour as well as for its own transfer.
 *
 * Between two ops of a rank the schedule (`ScheduleSpec.exchangeAt`) places one of these; a call carries the sends of
 * every op since the previous call and the receives of every op up to the next one.
 */

/** No call here: the outputs wait for the next call, the inputs come in the previous one. */
export const EXCHANGE_NONE = 0;
/** One call sending what came before and receiving what comes next (e.g. `send_forward_recv_backward`). */
export const EXCHANGE_COMBINED = 1;
/** A send call, then a receive call (`send_forward` then `recv_forward`). */
export const EXCHANGE_SPLIT = 2;

export type ExchangeKind = typeof EXCHANGE_NONE | typeof EXCHANGE_COMBINED | typeof EXCHANGE_SPLIT;
