import './base.css';
import './export.css';
import './record.css';
import './sets.css';
import './compare.css';
import './dashboard.css';
import './search.css';
