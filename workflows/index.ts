// Every workflow the worker registers; the bundle entry point.
export { orderWorkflow } from './order.workflow';
