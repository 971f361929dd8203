// Every workflow the worker registers; the bundle entry point.
export { orderWorkflow, orderWorkflowV2 } from './order.workflow';
