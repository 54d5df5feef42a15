/**
 * The workflow builder's elements, a chunk of their own: the shell imports this module when a
 * workflow is opened (most visits never do), and importing it defines the tags
 * (`alloy-console-workflow-builder` with its flow, block panel, field editor, variable picker, test
 * run panel and who runs which version).
 */
import { AlloyConsoleBlockPanel } from './block-panel/block-panel.js';
import { AlloyConsoleBuilderFlow } from './builder-flow/builder-flow.js';
import { AlloyConsoleFieldEditor } from './field-editor/field-editor.js';
import { AlloyConsoleTestRun } from './test-run/test-run.js';
import { AlloyConsoleVariablePicker } from './variable-picker/variable-picker.js';
import { AlloyConsoleVersionUsers } from './version-users/version-users.js';
import { AlloyConsoleWorkflowBuilder } from './workflow-builder/workflow-builder.js';

export {
  AlloyConsoleWorkflowBuilder,
  AlloyConsoleBuilderFlow,
  AlloyConsoleBlockPanel,
  AlloyConsoleFieldEditor,
  AlloyConsoleVariablePicker,
  AlloyConsoleTestRun,
  AlloyConsoleVersionUsers,
};
export { AUTOSAVE_DELAY_MS } from './workflow-builder/workflow-builder.js';

/** The builder's elements by tag. */
export const BUILDER_VIEWS = {
  'alloy-console-workflow-builder': AlloyConsoleWorkflowBuilder,
  'alloy-console-builder-flow': AlloyConsoleBuilderFlow,
  'alloy-console-block-panel': AlloyConsoleBlockPanel,
  'alloy-console-field-editor': AlloyConsoleFieldEditor,
  'alloy-console-variable-picker': AlloyConsoleVariablePicker,
  'alloy-console-test-run': AlloyConsoleTestRun,
  'alloy-console-version-users': AlloyConsoleVersionUsers,
} as const;
