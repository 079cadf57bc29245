// Node-only parts of the pipeline recorder: the crash journal and exit hook, and the generator for
// OpenAI-compatible HTTP endpoints.
export { openNodeRecorder, NodePipelineRecorder, describeLost, type NodeRecorderOptions, type OpenedRecorder } from './node-recorder.js';
export { FileStepJournal, recoverJournals, lostRecords, JOURNAL_DIRECTORY, type LostRecord, type LostReport } from './journal.js';
export { OpenAICompatibleGenerator, GeneratorError, type OpenAICompatibleOptions } from './openai-compatible.js';
