-- A Neovim session against `tcs lsp`, run headless by test/server/neovim.test.ts with Neovim's own LSP client
-- (Debian's neovim; 0.7 and later). Opens the broken config in $TCS_FILE, waits for diagnostics, asks for a hover,
-- completions and code actions, applies the rename fix, waits for the file to come back clean, and writes what it
-- saw as JSON to $TCS_OUT. Any failure is written there too, then Neovim quits.
local out_path = os.getenv('TCS_OUT')
local seen = { steps = {} }

local function write_out()
  local f = assert(io.open(out_path, 'w'))
  f:write(vim.fn.json_encode(seen))
  f:close()
end

local function step(name) table.insert(seen.steps, name) end

local function request(bufnr, method, params)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, 10000)
  if not responses then error(method .. ': ' .. tostring(err)) end
  for _, response in pairs(responses) do
    if response.err then error(method .. ': ' .. vim.inspect(response.err)) end
    return response.result
  end
end

local ok, failure = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('TCS_FILE')))
  local bufnr = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'tcs',
    cmd = { os.getenv('TCS_NODE'), os.getenv('TCS_CLI'), 'lsp' },
    root_dir = vim.fn.fnamemodify(os.getenv('TCS_FILE'), ':h'),
    settings = { trainingConfig = { validate = { enable = true } } },
  })
  assert(client_id, 'the client did not start')
  vim.lsp.buf_attach_client(bufnr, client_id)
  step('started')

  assert(vim.wait(20000, function() return #vim.diagnostic.get(bufnr) > 0 end, 20), 'no diagnostics within 20 s')
  local client = vim.lsp.get_client_by_id(client_id)
  seen.offset_encoding = client.offset_encoding
  seen.server_name = client.server_capabilities and client.server_capabilities.positionEncoding or vim.NIL
  seen.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = d.user_data and d.user_data.lsp or {}
    table.insert(seen.diagnostics, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      message = d.message, source = d.source, code = d.code or lsp.code, severity = d.severity })
  end
  step('diagnostics')

  local uri = vim.uri_from_bufnr(bufnr)
  local hover = request(bufnr, 'textDocument/hover', { textDocument = { uri = uri }, position = { line = 4, character = 4 } })
  seen.hover = hover and hover.contents or vim.NIL
  step('hover')

  local completion = request(bufnr, 'textDocument/completion', { textDocument = { uri = uri }, position = { line = 9, character = 0 } })
  local items = completion and (completion.items or completion) or {}
  seen.completion = {}
  for _, item in ipairs(items) do table.insert(seen.completion, item.label) end
  step('completion')

  -- The code actions for the first diagnostic, as `:lua vim.lsp.buf.code_action()` asks for them.
  local first = vim.diagnostic.get(bufnr)[1]
  local line_diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, first.lnum)
  local actions = request(bufnr, 'textDocument/codeAction', {
    textDocument = { uri = uri },
    range = { start = { line = first.lnum, character = first.col }, ['end'] = { line = first.end_lnum, character = first.end_col } },
    context = { diagnostics = line_diagnostics },
  }) or {}
  seen.actions = {}
  for _, action in ipairs(actions) do table.insert(seen.actions, { title = action.title, kind = action.kind, isPreferred = action.isPreferred or false }) end
  step('codeAction')

  assert(actions[1] and actions[1].edit, 'no code action with an edit')
  vim.lsp.util.apply_workspace_edit(actions[1].edit, client.offset_encoding)
  seen.applied = actions[1].title
  step('applied')

  -- Neovim sends the change (debounced by its client); the server checks it and publishes no diagnostics.
  assert(vim.wait(20000, function() return #vim.diagnostic.get(bufnr) == 0 end, 20), 'diagnostics did not clear after the fix')
  seen.text_after = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') .. '\n'
  seen.diagnostics_after = #vim.diagnostic.get(bufnr)
  step('clean')

  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
  step('stopped')
end)

seen.ok = ok
if not ok then seen.error = tostring(failure) end
write_out()
vim.cmd('qall!')
